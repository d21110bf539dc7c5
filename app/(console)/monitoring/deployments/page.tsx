import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DeploymentsBrowser } from '@/components/deployments/deployments-browser';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDeployments } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Deployments' };

export default async function DeploymentsPage() {
  const session = await requirePageSession({ path: '/monitoring/deployments' });
  return (
    <>
      <PageHeader
        title="Deployments"
        description="Programs deployed to collections: each client's status from the messages it reported, kept after expiry."
      />
      <Suspense>
        <DeploymentsBrowser canManage={canManageDeployments(session.principal)} />
      </Suspense>
    </>
  );
}
