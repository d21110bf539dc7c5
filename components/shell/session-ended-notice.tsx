'use client';

import { usePathname } from 'next/navigation';
import { useSyncExternalStore } from 'react';
import { sessionHasEnded, subscribeSessionEnded } from '@/lib/client/session-ended';

/**
 * Says that the session has ended (idle too long, signed out elsewhere, role changed) without
 * leaving the page: what the administrator typed stays in its form. Signing in again in another
 * tab renews the session's cookies for this one, so the form's next save goes through.
 */
export function SessionEndedNotice() {
  const ended = useSyncExternalStore(subscribeSessionEnded, sessionHasEnded, () => false);
  const pathname = usePathname();
  if (!ended) return null;
  // Only ever rendered in the browser (the server's snapshot is false), so the address is there to read.
  const signIn = `/sign-in?next=${encodeURIComponent(pathname + window.location.search)}`;
  return (
    <div
      role="alert"
      data-testid="session-ended"
      className="sticky top-0 z-20 -mx-4 -mt-4 mb-4 flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900"
    >
      <span>
        <strong>Your session has ended.</strong> What you typed on this page is kept: sign in again in a new tab, then come back and save it.
      </span>
      <a href={signIn} target="_blank" rel="noopener" className="font-medium text-blue-700 underline">
        Sign in in a new tab
      </a>
      <a href={signIn} className="text-blue-700 underline">
        Sign in here (unsaved changes are lost)
      </a>
    </div>
  );
}
