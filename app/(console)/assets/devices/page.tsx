import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Suspense } from 'react';
import { DevicesBrowser } from '@/components/devices/devices-browser';
import { InstallClient } from '@/components/devices/install-client';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDevices } from '@/lib/auth/roles';
import { serverName } from '@/lib/config';
import { agentBundleSha256 } from '@/lib/devices/agent-bundle';
import { runtime } from '@/lib/runtime';

export const metadata: Metadata = { title: 'Devices' };

export default async function DevicesPage() {
  const session = await requirePageSession({ path: '/assets/devices' });
  // The commands name the site as this browser reached it (behind a proxy, as the proxy says);
  // over HTTPS, and by this server's name when the browser is on this computer.
  const request = await headers();
  const security = runtime().transportSecurity;
  const reached = request.get('x-forwarded-host') ?? request.get('host') ?? 'localhost:3000';
  const local = /^(localhost|127\.[\d.]+|\[::1\])(:\d+)?$/.exec(reached);
  const host = security && local ? `${serverName()}${local[2] ?? ''}` : reached;
  const protocol = security ? 'https' : (request.get('x-forwarded-proto') ?? 'http');
  return (
    <>
      <PageHeader title="Devices" description="Every client known to the site: search, sort, approve or revoke." />
      <InstallClient
        siteUrl={`${protocol}://${host}`}
        caFingerprint={security?.caFingerprint()}
        bundleSha256={security ? await agentBundleSha256() : undefined}
      />
      <Suspense>
        <DevicesBrowser canManage={canManageDevices(session.principal)} />
      </Suspense>
    </>
  );
}
