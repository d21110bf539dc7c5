import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Site Status' };

export default function Page() {
  return (
    <>
      <PageHeader title="Site Status" description="One status per site, rolled up from its components and site systems." />
      <NotAvailable feature="Site Status will roll component and site system status up to green, yellow or red for each site, with message-rate charts for the last hour and day." />
    </>
  );
}
