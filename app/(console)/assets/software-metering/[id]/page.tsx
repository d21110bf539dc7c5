import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { MeteringReportView } from '@/components/metering/metering-report-view';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canRunClientOperations } from '@/lib/auth/roles';
import { findMeteringRule } from '@/lib/metering/repo';
import { isInt4Id } from '@/lib/validation/primitives';

export const metadata: Metadata = { title: 'Software Metering report' };

export default async function MeteringReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await requirePageSession({ path: `/assets/software-metering/${id}` });
  const ruleId = Number(id);
  if (!/^\d+$/.test(id) || !isInt4Id(ruleId)) notFound();
  // A rule deleted (or never made) has no report: the Not found page leads back to the rules.
  if (!(await findMeteringRule(ruleId))) notFound();
  return (
    <>
      <PageHeader
        title="Software Metering report"
        description="How often the program runs, on which computers and by whom, and where it is installed but unused."
      />
      <MeteringReportView ruleId={ruleId} canRunLiveQuery={canRunClientOperations(session.principal)} />
    </>
  );
}
