import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Status Messages' };

export default function Page() {
  return (
    <>
      <PageHeader title="Status Messages" description="Read, filter and export status messages." />
      <NotAvailable feature="The Status Message Viewer will read millions of messages with filters, saved queries, CSV export and live tail." />
    </>
  );
}
