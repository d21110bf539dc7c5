import type { ClientNotificationSettings } from '../notification/notification-settings';
import { processSlot } from '../process-singleton';
import { readSiteSettings } from './read-site-settings';

const CACHE_MS = 30_000;
const cache = processSlot<{ at: number; value: ClientNotificationSettings }>('notificationSettings');

/**
 * The site's client notification settings (components.notificationServer), as the faces that start
 * the notification server and client operations hand them in. Cached for 30 seconds (every agent
 * connection asks for the keep-alive); `fresh` reads the document again and refreshes the cache, as
 * the notification server does when a new site control serial is applied.
 */
export async function readClientNotificationSettings(
  options: { siteCode?: string; now?: number; fresh?: boolean } = {},
): Promise<ClientNotificationSettings> {
  const now = options.now ?? Date.now();
  const cached = cache.get();
  if (!options.fresh && cached && now - cached.at < CACHE_MS) return cached.value;
  const section = (await readSiteSettings({ siteCode: options.siteCode })).components.notificationServer;
  const value: ClientNotificationSettings = {
    port: section.port,
    keepAliveSeconds: section.keepAliveMinutes * 60,
    operationValidityMinutes: section.operationValidityMinutes,
  };
  cache.set({ at: now, value });
  return value;
}
