import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Site Settings' };

export default function Page() {
  return (
    <>
      <PageHeader title="Site Settings" description="The site control document: general, ports, client agents, status reporting, maintenance." />
      <NotAvailable feature="Site Settings will edit the site control document in property sheets, with serial numbers, history and differences between versions." />
    </>
  );
}
