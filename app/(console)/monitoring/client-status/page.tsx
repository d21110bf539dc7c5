import type { Metadata } from 'next';
import { ClientStatusView } from '@/components/client-status/client-status-view';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';

export const metadata: Metadata = { title: 'Client Status' };

export default async function ClientStatusPage() {
  await requirePageSession({ path: '/monitoring/client-status' });
  return (
    <>
      <PageHeader title="Client Status" description="Which clients are online, and which are active by their recent activity." />
      <ClientStatusView />
    </>
  );
}
