import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { SiteSystemStatusView } from '@/components/summarizers/site-system-status-view';
import { requirePageSession } from '@/lib/auth/current-session';

export const metadata: Metadata = { title: 'Site System Status' };

export default async function SiteSystemStatusPage() {
  await requirePageSession({ path: '/monitoring/site-system-status' });
  return (
    <>
      <PageHeader title="Site System Status" description="Storage objects' free space and whether each site system reports, per role." />
      <Suspense>
        <SiteSystemStatusView />
      </Suspense>
    </>
  );
}
