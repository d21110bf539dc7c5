import { prisma } from '../db/prisma';
import type { Prisma } from '../db/generated/client';
import { likeLiteral } from '../search/like-literal';
import type { DeviceRow, DeviceSortColumn, ListDevicesQuery } from './list-devices.schema';

/** The thin data layer for reading devices. */

function where(query: ListDevicesQuery): Prisma.DeviceWhereInput {
  const term = query.search ? likeLiteral(query.search) : '';
  const search = term
    ? {
        OR: [
          { name: { contains: term, mode: 'insensitive' as const } },
          { ipAddress: { contains: term } },
          { osName: { contains: term, mode: 'insensitive' as const } },
        ],
      }
    : {};
  return {
    ...search,
    ...(query.online === undefined ? {} : { online: query.online }),
    ...(query.osKind ? { osKind: query.osKind } : {}),
    ...(query.approval ? { approval: query.approval } : {}),
    ...(query.collectionId ? { memberships: { some: { collectionId: query.collectionId } } } : {}),
    ...(query.source ? { isDemo: query.source === 'demo' } : {}),
  };
}

// Sort columns map to indexed columns; a unique id breaks ties so pages never overlap.
function orderBy(sort: DeviceSortColumn, dir: 'asc' | 'desc'): Prisma.DeviceOrderByWithRelationInput[] {
  const by: Record<DeviceSortColumn, Prisma.DeviceOrderByWithRelationInput> = {
    name: { name: dir },
    domain: { domain: { sort: dir, nulls: 'last' } },
    osName: { osName: dir },
    osVersion: { osVersion: dir },
    ipAddress: { ipAddress: { sort: dir, nulls: 'last' } },
    site: { site: { code: dir } },
    approval: { approval: dir },
    online: { online: dir },
    lastSeenAt: { lastSeenAt: { sort: dir, nulls: 'last' } },
  };
  return [by[sort], { id: dir }];
}

export async function findDevicePage(query: ListDevicesQuery): Promise<{ rows: DeviceRow[]; total: number }> {
  const filter = where(query);
  const [total, devices] = await prisma().$transaction([
    prisma().device.count({ where: filter }),
    prisma().device.findMany({
      where: filter,
      orderBy: orderBy(query.sort, query.dir),
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      select: {
        id: true,
        name: true,
        domain: true,
        osName: true,
        osVersion: true,
        osKind: true,
        ipAddress: true,
        approval: true,
        online: true,
        lastSeenAt: true,
        isDemo: true,
        site: { select: { code: true } },
      },
    }),
  ]);
  return {
    total,
    rows: devices.map(({ site, lastSeenAt, ...d }) => ({ ...d, siteCode: site.code, lastSeenAt: lastSeenAt?.toISOString() ?? null })),
  };
}
