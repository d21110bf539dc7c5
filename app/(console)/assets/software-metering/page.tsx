import type { Metadata } from 'next';
import { MeteringRulesAdmin } from '@/components/metering/metering-rules-admin';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditMeteringRules } from '@/lib/auth/roles';
import { config } from '@/lib/config';

export const metadata: Metadata = { title: 'Software Metering' };

export default async function SoftwareMeteringPage() {
  const session = await requirePageSession({ path: '/assets/software-metering' });
  return (
    <>
      <PageHeader
        title="Software Metering"
        description="Rules naming the programs whose runs the clients record; enabled rules reach the clients of their site with policy."
      />
      <MeteringRulesAdmin canEdit={canEditMeteringRules(session.principal)} siteCode={config().SITEBOX_SITE_CODE} />
    </>
  );
}
