import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Site System Status' };

export default function Page() {
  return (
    <>
      <PageHeader title="Site System Status" description="Each site system's roles, storage objects and last report." />
      <NotAvailable feature="Site System Status will show each site system's roles and the free space of its storage objects against the warning and critical thresholds." />
    </>
  );
}
