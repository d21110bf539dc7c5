'use client';

import { notifyManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
// The API's own wording for what a form's schema refuses, in the browser as on the server.
import '@/lib/validation/plain-messages';

// A query or mutation's new state reaches the page before the browser handles the next event:
// a mutation under way disables its submit button before the second click of a double click
// lands, where the library's default (a timer) let that click through to send the form again.
notifyManager.setScheduler((callback) => queueMicrotask(callback));

/** Client-side providers for the console: one QueryClient per browser tab. */
export function Providers({ children }: { children: React.ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 10_000, refetchOnWindowFocus: false, retry: 1 } },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
