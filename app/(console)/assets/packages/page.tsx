import type { Metadata } from 'next';
import { PackagesAdmin } from '@/components/deployments/packages-admin';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDeployments } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Packages' };

export default async function PackagesPage() {
  const session = await requirePageSession({ path: '/assets/packages' });
  return (
    <>
      <PageHeader title="Packages" description="Software packages and the programs deployments run on clients." />
      <PackagesAdmin canManage={canManageDeployments(session.principal)} />
    </>
  );
}
