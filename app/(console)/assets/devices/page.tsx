import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Suspense } from 'react';
import { DevicesBrowser } from '@/components/devices/devices-browser';
import { InstallClient } from '@/components/devices/install-client';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDevices } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Devices' };

export default async function DevicesPage() {
  const session = await requirePageSession({ path: '/assets/devices' });
  // The commands name the site as this browser reached it (behind a proxy, as the proxy says).
  const request = await headers();
  const host = request.get('x-forwarded-host') ?? request.get('host') ?? 'localhost:3000';
  const protocol = request.get('x-forwarded-proto') ?? 'http';
  return (
    <>
      <PageHeader title="Devices" description="Every client known to the site: search, sort, approve or revoke." />
      <InstallClient siteUrl={`${protocol}://${host}`} />
      <Suspense>
        <DevicesBrowser canManage={canManageDevices(session.principal)} />
      </Suspense>
    </>
  );
}
