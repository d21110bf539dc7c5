import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Status Filter Rules' };

export default function Page() {
  return (
    <>
      <PageHeader title="Status Filter Rules" description="How Status Manager disposes of each status message, in priority order." />
      <NotAvailable feature="Status Filter Rules will list, edit, reorder and test the rules Status Manager applies to every message." />
    </>
  );
}
