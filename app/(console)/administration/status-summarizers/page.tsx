import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { StatusSummarizersAdmin } from '@/components/summarizers/status-summarizers-admin';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditSummarizerSettings } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Status Summarizers' };

export default async function StatusSummarizersPage() {
  const session = await requirePageSession({ path: '/administration/status-summarizers' });
  return (
    <>
      <PageHeader title="Status Summarizers" description="Display interval and thresholds of the component and site system status summarizers." />
      <StatusSummarizersAdmin canEdit={canEditSummarizerSettings(session.principal)} />
    </>
  );
}
