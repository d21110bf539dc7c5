import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { StatusFilterRulesAdmin } from '@/components/status-filter-rules/status-filter-rules-admin';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditStatusFilterRules } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Status Filter Rules' };

export default async function StatusFilterRulesPage() {
  const session = await requirePageSession({ path: '/administration/status-filter-rules' });
  return (
    <>
      <PageHeader
        title="Status Filter Rules"
        description="How Status Manager disposes of each status message, in priority order; changes apply at once."
      />
      <StatusFilterRulesAdmin canEdit={canEditStatusFilterRules(session.principal)} />
    </>
  );
}
