import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { ResourceExplorer } from '@/components/resource-explorer/resource-explorer';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { findDeviceHeader } from '@/lib/resource-explorer/get-device-inventory';
import { deviceParamsSchema } from '@/lib/resource-explorer/resource-explorer.schema';

export const metadata: Metadata = { title: 'Resource Explorer' };

export default async function DevicePage({ params }: { params: Promise<{ id: string }> }) {
  const raw = await params;
  await requirePageSession({ path: `/assets/devices/${encodeURIComponent(raw.id)}` });
  const parsed = deviceParamsSchema.safeParse(raw);
  if (!parsed.success) notFound();
  const device = await findDeviceHeader(parsed.data.id);
  if (!device) notFound();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-1 text-sm">
        <Link href="/assets/devices" className="text-blue-700 hover:underline">
          Devices
        </Link>
      </nav>
      <PageHeader
        title={device.name}
        description={`Resource Explorer · ${device.domain ? `${device.domain} · ` : ''}site ${device.siteCode} · ${device.osKind === 'SERVER' ? 'server' : 'workstation'}`}
      />
      <Suspense>
        <ResourceExplorer device={device} />
      </Suspense>
    </>
  );
}
