import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CollectionsBrowser } from '@/components/collections/collections-browser';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditCollections, canManageDevices } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Collections' };

export default async function CollectionsPage() {
  const session = await requirePageSession({ path: '/assets/collections' });
  return (
    <>
      <PageHeader title="Collections" description="Groups of devices built from rules, kept current by the collection evaluator." />
      <Suspense>
        <CollectionsBrowser canManage={canManageDevices(session.principal)} canEdit={canEditCollections(session.principal)} />
      </Suspense>
    </>
  );
}
