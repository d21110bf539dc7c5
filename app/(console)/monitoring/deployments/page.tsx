import type { Metadata } from 'next';
import { NotAvailable } from '@/components/shell/not-available';
import { PageHeader } from '@/components/shell/page-header';

export const metadata: Metadata = { title: 'Deployments' };

export default function Page() {
  return (
    <>
      <PageHeader title="Deployments" description="Programs deployed to collections and each client's status." />
      <NotAvailable feature="Deployments will summarise each deployment's client status (received, running, succeeded, failed) with per-client drill-down and CSV export." />
    </>
  );
}
