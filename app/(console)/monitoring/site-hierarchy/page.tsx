import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { SiteHierarchyView } from '@/components/site-hierarchy/site-hierarchy-view';
import { requirePageSession } from '@/lib/auth/current-session';

export const metadata: Metadata = { title: 'Site Hierarchy' };

export default async function SiteHierarchyPage() {
  await requirePageSession({ path: '/monitoring/site-hierarchy' });
  return (
    <>
      <PageHeader title="Site Hierarchy" description="This site, the state of its link to its parent, and the child sites that replicate to it." />
      <SiteHierarchyView />
    </>
  );
}
