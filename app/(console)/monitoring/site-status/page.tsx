import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { SiteStatusView } from '@/components/summarizers/site-status-view';
import { requirePageSession } from '@/lib/auth/current-session';

export const metadata: Metadata = { title: 'Site Status' };

export default async function SiteStatusPage() {
  await requirePageSession({ path: '/monitoring/site-status' });
  return (
    <>
      <PageHeader title="Site Status" description="One status per site, rolled up from its components and site systems." />
      <Suspense>
        <SiteStatusView />
      </Suspense>
    </>
  );
}
