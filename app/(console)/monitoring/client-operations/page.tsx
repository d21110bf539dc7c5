import type { Metadata } from 'next';
import { ClientOperationsBrowser } from '@/components/client-operations/client-operations-browser';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canRunClientOperations } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Client Operations' };

export default async function ClientOperationsPage() {
  const session = await requirePageSession({ path: '/monitoring/client-operations' });
  return (
    <>
      <PageHeader
        title="Client Operations"
        description="Download Computer Policy, scans and inventory cycles pushed to clients over the notification channel, with results as they arrive."
      />
      <ClientOperationsBrowser canRun={canRunClientOperations(session.principal)} />
    </>
  );
}
