import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Component Status' };

export default function Page() {
  return (
    <>
      <PageHeader title="Component Status" description="Each component's state, availability and message counts within the display interval." />
      <NotAvailable feature="Component Status will list every component per site system with its Error, Warning and Informational counts against the summarizer thresholds, live." />
    </>
  );
}
