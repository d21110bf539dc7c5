import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Status Summarizers' };

export default function Page() {
  return (
    <>
      <PageHeader title="Status Summarizers" description="Display interval and thresholds of the status summarizers." />
      <NotAvailable feature="Status Summarizers will set the display interval and the Warning and Critical thresholds of the component and site system summarizers." />
    </>
  );
}
