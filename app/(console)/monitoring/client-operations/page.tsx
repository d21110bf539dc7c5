import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Client Operations' };

export default function Page() {
  return (
    <>
      <PageHeader title="Client Operations" description="Actions pushed to clients and their live results." />
      <NotAvailable feature="Client Operations will start Download Computer Policy, Quick Scan and Full Scan on collections and show delivered, succeeded, failed and expired counts as clients answer." />
    </>
  );
}
