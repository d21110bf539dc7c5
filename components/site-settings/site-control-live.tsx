'use client';

import { SiteControlLive, useSiteControlEvents } from './use-site-settings';

/** Follows the change flow on the console channel for everything inside (see useSiteControlEvents). */
export function SiteControlLiveProvider({ children }: { children: React.ReactNode }) {
  const live = useSiteControlEvents();
  return <SiteControlLive.Provider value={live}>{children}</SiteControlLive.Provider>;
}
