import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { ComponentStatusView } from '@/components/summarizers/component-status-view';
import { requirePageSession } from '@/lib/auth/current-session';
import { canResetSummarizerCounts } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Component Status' };

export default async function ComponentStatusPage() {
  const session = await requirePageSession({ path: '/monitoring/component-status' });
  return (
    // The page fills the console's height: the list and the details below it share what is left.
    <div className="flex h-full flex-col">
      <PageHeader title="Component Status" description="Each component's state, availability and message counts within the display interval." />
      <Suspense>
        <ComponentStatusView canReset={canResetSummarizerCounts(session.principal)} />
      </Suspense>
    </div>
  );
}
