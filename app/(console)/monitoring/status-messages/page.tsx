import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { StatusManagerPanel } from '@/components/status-messages/status-manager-panel';
import { StatusMessageViewer } from '@/components/status-messages/status-message-viewer';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditSiteSettings, canEditStatusMessageQueries } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Status Messages' };

export default async function StatusMessagesPage() {
  const session = await requirePageSession({ path: '/monitoring/status-messages' });
  return (
    // The page fills the console's height: the list and the details below it share what is left.
    <div className="flex h-full flex-col">
      <PageHeader title="Status Messages" description="What every component, site system and client reported, newest first.">
        <StatusManagerPanel canDecide={canEditSiteSettings(session.principal)} />
      </PageHeader>
      <Suspense>
        <StatusMessageViewer canEditQueries={canEditStatusMessageQueries(session.principal)} />
      </Suspense>
    </div>
  );
}
