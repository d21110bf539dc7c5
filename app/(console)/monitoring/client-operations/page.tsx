import type { Metadata } from 'next';
import { z } from 'zod';
import { ClientOperationsBrowser } from '@/components/client-operations/client-operations-browser';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canRunClientOperations } from '@/lib/auth/roles';
import { liveQueryTextSchema } from '@/lib/live-query/live-query-input.schema';

export const metadata: Metadata = { title: 'Client Operations' };

/** `?liveQuery=` opens the form on a live query to run (a link from a metering report); text it cannot take is ignored. */
const pageQuerySchema = z.object({ liveQuery: liveQueryTextSchema.shape.query.optional().catch(undefined) });

export default async function ClientOperationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession({ path: '/monitoring/client-operations' });
  const { liveQuery } = pageQuerySchema.parse(await searchParams);
  return (
    <>
      <PageHeader
        title="Client Operations"
        description="Download Computer Policy, scans and inventory cycles pushed to clients over the notification channel, with results as they arrive."
      />
      <ClientOperationsBrowser canRun={canRunClientOperations(session.principal)} initialQuery={liveQuery} />
    </>
  );
}
