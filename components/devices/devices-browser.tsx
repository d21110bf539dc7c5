'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { listDevicesQuerySchema } from '@/lib/devices/list-devices.schema';
import { DeviceTable } from './device-table';
import { useLivePresence } from './use-live-presence';
import { deviceQueryString, type DeviceFilters } from './use-devices-query';

/** The Devices page's table, its state kept in the URL so a reload or a shared link shows the same page. */
export function DevicesBrowser({ canManage }: { canManage: boolean }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo<DeviceFilters>(() => {
    // Unreadable values in a hand-edited URL fall back to the defaults.
    const parsed = listDevicesQuerySchema.safeParse(Object.fromEntries(params));
    const q = parsed.success ? parsed.data : listDevicesQuerySchema.parse({});
    return {
      search: q.search ?? '',
      sort: q.sort,
      dir: q.dir,
      page: q.page,
      pageSize: q.pageSize,
      online: q.online === undefined ? undefined : q.online ? 'true' : 'false',
      osKind: q.osKind,
      source: q.source,
    };
  }, [params]);
  // Online / offline and last seen follow the notification servers' presence as it changes.
  useLivePresence();
  const onChange = useCallback(
    (next: DeviceFilters) => router.replace(`${pathname}?${deviceQueryString(next)}`, { scroll: false }),
    [router, pathname],
  );
  return <DeviceTable filters={filters} onChange={onChange} canManage={canManage} caption="Devices" />;
}
