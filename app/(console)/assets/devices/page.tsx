import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Suspense } from 'react';
import { DevicesBrowser } from '@/components/devices/devices-browser';
import { InstallClient } from '@/components/devices/install-client';
import { installSiteUrl } from '@/components/devices/install-site-url';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canManageDevices } from '@/lib/auth/roles';
import { serverName } from '@/lib/config';
import { agentBundleSha256 } from '@/lib/devices/agent-bundle';
import { runtime } from '@/lib/runtime';

export const metadata: Metadata = { title: 'Devices' };

export default async function DevicesPage() {
  const session = await requirePageSession({ path: '/assets/devices' });
  const request = await headers();
  const security = runtime().transportSecurity;
  const siteUrl = installSiteUrl({
    reachedHost: request.get('x-forwarded-host') ?? request.get('host'),
    forwardedProto: request.get('x-forwarded-proto'),
    secure: Boolean(security),
    serverName: serverName(),
  });
  return (
    <>
      <PageHeader title="Devices" description="Every client known to the site: search, sort, approve or revoke." />
      <InstallClient siteUrl={siteUrl} caFingerprint={security?.caFingerprint()} bundleSha256={security ? await agentBundleSha256() : undefined} />
      <Suspense>
        <DevicesBrowser canManage={canManageDevices(session.principal)} />
      </Suspense>
    </>
  );
}
