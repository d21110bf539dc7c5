import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DevicesBrowser } from '@/components/devices/devices-browser';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDevices } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Devices' };

export default async function DevicesPage() {
  const session = await requirePageSession({ path: '/assets/devices' });
  return (
    <>
      <PageHeader title="Devices" description="Every client known to the site: search, sort, approve or revoke." />
      <Suspense>
        <DevicesBrowser canManage={canManageDevices(session.principal)} />
      </Suspense>
    </>
  );
}
