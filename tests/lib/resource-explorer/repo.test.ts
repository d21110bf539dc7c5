// Resource Explorer's reads against real PostgreSQL, on rows written by the inventory fixture:
// the device header, hardware classes, software pages (search, sort, paging, the plan that serves
// them), the report history and the comparison of two reports.
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { AppError } from '@/lib/errors';
import { compareInventoryReports } from '@/lib/resource-explorer/compare-inventory-reports';
import { getDeviceInventoryOrThrow } from '@/lib/resource-explorer/get-device-inventory';
import { listDeviceSoftware } from '@/lib/resource-explorer/list-device-software';
import { listInventoryReports } from '@/lib/resource-explorer/list-inventory-reports';
import { softwarePageStatement } from '@/lib/resource-explorer/repo';
import { listSoftwareQuerySchema, type ListSoftwareQuery } from '@/lib/resource-explorer/resource-explorer.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { planNodes } from '../../support/query-plan';
import {
  changes,
  fillFleetSoftware,
  insertReport,
  setDeviceSummary,
  setHardwareClasses,
  setInstalledSoftware,
  type FixturePackage,
} from '../../support/inventory-fixture';

let device: number;
let bare: number;
let other: number;
let fleet: number[];
const reports: string[] = [];

const packages: FixturePackage[] = [
  { name: 'bash', version: '5.2.21-2', installedOn: '2025-03-01' },
  { name: 'curl', version: '8.5.0-2', installedOn: '2025-05-10' },
  { name: 'libcurl4', version: '8.5.0-2', installedOn: null },
  { name: 'openssl', version: '3.0.13-1', installedOn: '2025-01-20' },
  { name: 'python3', version: '3.12.3-0', installedOn: '2025-02-02' },
  { name: 'python3-minimal', version: '3.12.3-0', installedOn: '2025-02-02' },
  { name: 'tzdata', version: '2024a-1', arch: 'all', installedOn: '2024-12-24' },
  { name: 'LAB_100%_tool', version: '1.0', installedOn: null },
  ...Array.from({ length: 40 }, (_, i) => ({ name: `lib-extra-${String(i).padStart(2, '0')}`, version: `0.${i}`, installedOn: '2025-04-01' })),
];

const software = (query: Partial<ListSoftwareQuery> = {}, deviceId = device) =>
  listDeviceSoftware({ deviceId, query: listSoftwareQuerySchema.parse(query) });

async function notFound(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('NOT_FOUND');
  return (error as AppError).userMessage;
}

describe('Resource Explorer reads', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 320 });
    const { rows } = await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id`);
    [device, bare, other] = rows.map((r) => r.id);
    fleet = rows.slice(3).map((r) => r.id);
    await setDeviceSummary(device, {
      manufacturer: 'LENOVO',
      model: '20XW',
      serialNumber: 'PF3ABC',
      memoryMb: 16_384,
      diskFreeMb: 102_400,
      version: 4,
    });
    await setHardwareClasses(device, {
      disk: [{ name: 'nvme0n1', sizeBytes: 512_110_190_592 }],
      system: [{ manufacturer: 'LENOVO', model: '20XW', serial: 'PF3ABC' }],
      vendorExtra: [{ note: 'kept' }],
      processor: [{ brand: 'Core i7-1165G7', cores: 8 }],
    });
    await setInstalledSoftware(device, packages);
    await setInstalledSoftware(other, [{ name: 'bash', version: '5.2.21-2' }]);

    const day = (n: number) => new Date(Date.UTC(2025, 5, n, 9));
    reports.push(
      await insertReport(device, { kind: 'FULL', version: 1, collectedAt: day(1), changes: changes({ baseline: true }), softwareCount: 46 }),
    );
    reports.push(
      await insertReport(device, {
        kind: 'DELTA',
        version: 2,
        collectedAt: day(8),
        changes: changes({
          added: [{ name: 'htop', version: '3.3.0', arch: 'amd64' }],
          upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.12-1' }],
        }),
        softwareCount: 47,
      }),
    );
    // The other device's report lands between this device's, as the loader interleaves devices.
    reports.push(
      await insertReport(other, { kind: 'FULL', version: 1, collectedAt: day(9), changes: changes({ baseline: true }), softwareCount: 1 }),
    );
    reports.push(
      await insertReport(device, {
        kind: 'DELTA',
        version: 3,
        collectedAt: day(15),
        changes: changes({
          removed: [{ name: 'htop', version: '3.3.0', arch: 'amd64' }],
          upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.12-1', to: '3.0.13-1' }],
          added: [{ name: 'curl', version: '8.5.0-2', arch: 'amd64' }],
        }),
        softwareCount: 47,
      }),
    );
    reports.push(
      await insertReport(device, {
        kind: 'DELTA',
        version: 4,
        collectedAt: day(22),
        changes: changes({ hardware: [{ className: 'disk', change: 'changed', before: 1, after: 1 }] }),
        softwareCount: 48,
      }),
    );
    // Changes the loader never writes: shown as unreadable, never a failure.
    reports.push(await insertReport(device, { kind: 'DELTA', version: 5, collectedAt: day(29), changes: { unexpected: true } }));
  });

  it('reads the header and the hardware classes in the protocol order', async () => {
    const { device: header, hardware } = await getDeviceInventoryOrThrow(device);
    expect(header).toMatchObject({
      id: device,
      siteCode: 'S01',
      manufacturer: 'LENOVO',
      model: '20XW',
      serialNumber: 'PF3ABC',
      memoryMb: 16_384,
      diskFreeMb: 102_400,
      inventoryVersion: 4,
      hasInventory: true,
      lastHwInventoryAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(hardware.map((h) => h.className)).toEqual(['system', 'processor', 'disk', 'vendorExtra']);
    expect(hardware[2].instances).toEqual([{ name: 'nvme0n1', sizeBytes: 512_110_190_592 }]);
  });

  it('tells a device without inventory apart, and refuses an unknown one', async () => {
    const { device: header, hardware } = await getDeviceInventoryOrThrow(bare);
    expect(header).toMatchObject({ hasInventory: false, inventoryVersion: 0, manufacturer: null, lastHwInventoryAt: null });
    expect(hardware).toEqual([]);
    expect(await notFound(getDeviceInventoryOrThrow(2_000_000))).toBe('Device 2000000 was not found.');
    expect(await notFound(software({}, 2_000_000))).toBe('Device 2000000 was not found.');
    expect(await notFound(listInventoryReports({ deviceId: 2_000_000, query: { limit: 10 } }))).toBe('Device 2000000 was not found.');
    expect(await software({}, bare)).toEqual({ rows: [], total: 0, offset: 0, limit: 200 });
  });

  it('pages the software by name with the total', async () => {
    const first = await software({ limit: 20 });
    expect(first.total).toBe(packages.length);
    expect(first.rows.slice(0, 3)).toEqual([
      { name: 'bash', version: '5.2.21-2', arch: 'amd64', source: 'dpkg', installedOn: '2025-03-01' },
      { name: 'curl', version: '8.5.0-2', arch: 'amd64', source: 'dpkg', installedOn: '2025-05-10' },
      { name: 'LAB_100%_tool', version: '1.0', arch: 'amd64', source: 'dpkg', installedOn: null },
    ]);
    const all = [...first.rows, ...(await software({ limit: 20, offset: 20 })).rows, ...(await software({ limit: 20, offset: 40 })).rows];
    const byLowerName = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);
    expect(all.map((r) => r.name)).toEqual(packages.map((p) => p.name).sort(byLowerName));
    expect(new Set(all.map((r) => r.name)).size).toBe(packages.length);
    // Past the end: no rows, and still the count.
    expect(await software({ offset: 1000 })).toEqual({ rows: [], total: packages.length, offset: 1000, limit: 200 });
  });

  it('searches names by contained text in any case, taking % and _ literally', async () => {
    const curl = await software({ search: 'CURL' });
    expect(curl.total).toBe(2);
    expect(curl.rows.map((r) => r.name)).toEqual(['curl', 'libcurl4']);
    expect((await software({ search: '100%_' })).rows.map((r) => r.name)).toEqual(['LAB_100%_tool']);
    expect(await software({ search: 'py%3' })).toMatchObject({ rows: [], total: 0 });
    expect((await software({ search: 'python' }, other)).total).toBe(0);
  });

  it('sorts by version and by install date, unknown dates last', async () => {
    const byVersion = await software({ sort: 'version', dir: 'desc', limit: 3 });
    expect(byVersion.rows.map((r) => r.version)).toEqual(['8.5.0-2', '8.5.0-2', '5.2.21-2']);
    expect(byVersion.rows.map((r) => r.name)).toEqual(['libcurl4', 'curl', 'bash']);
    const newest = await software({ sort: 'installedOn', dir: 'desc', limit: 2 });
    expect(newest.rows.map((r) => r.name)).toEqual(['curl', 'lib-extra-00']);
    const oldest = await software({ sort: 'installedOn', dir: 'asc' });
    expect(oldest.rows[0].name).toBe('tzdata');
    expect(oldest.rows.slice(-2).map((r) => [r.name, r.installedOn])).toEqual([
      ['LAB_100%_tool', null],
      ['libcurl4', null],
    ]);
  });

  it('serves a software page from the device_software primary key, never a scan of the table', async () => {
    await fillFleetSoftware({ deviceIds: fleet, products: 3000, perDevice: 400 });
    for (const query of [{}, { search: 'pkg-1', sort: 'installedOn' as const, dir: 'desc' as const, offset: 100 }]) {
      const statement = softwarePageStatement(fleet[7], listSoftwareQuerySchema.parse(query));
      const nodes = await planNodes(statement.text, statement.values);
      const onDeviceSoftware = nodes.filter((n) => n['Relation Name'] === 'device_software');
      expect(onDeviceSoftware.length, JSON.stringify(nodes)).toBeGreaterThan(0);
      for (const n of onDeviceSoftware) {
        expect(n['Node Type']).toMatch(/Index/);
        expect(n['Index Name']).toBe('device_software_pkey');
      }
      expect(nodes.some((n) => n['Index Name'] === 'device_software_pkey' && String(n['Index Cond']).includes('device_id'))).toBe(true);
    }
    expect((await software({}, fleet[7])).total).toBe(400);
  });

  it('lists the reports newest first with their changes, page by page', async () => {
    const all = await listInventoryReports({ deviceId: device, query: { limit: 50 } });
    expect(all.nextBefore).toBeNull();
    expect(all.reports.map((r) => r.version)).toEqual([5, 4, 3, 2, 1]);
    expect(all.reports[0].changes).toBeNull();
    expect(all.reports[3]).toMatchObject({
      id: reports[1],
      kind: 'DELTA',
      collectedAt: '2025-06-08T09:00:00.000Z',
      loadedAt: '2025-06-08T09:00:05.000Z',
      softwareCount: 47,
      changes: { baseline: false, software: { added: [{ name: 'htop', version: '3.3.0', arch: 'amd64' }] } },
    });
    const first = await listInventoryReports({ deviceId: device, query: { limit: 2 } });
    expect(first.reports.map((r) => r.version)).toEqual([5, 4]);
    const second = await listInventoryReports({ deviceId: device, query: { limit: 2, before: first.nextBefore! } });
    expect(second.reports.map((r) => r.version)).toEqual([3, 2]);
    const last = await listInventoryReports({ deviceId: device, query: { limit: 2, before: second.nextBefore! } });
    expect(last).toMatchObject({ reports: [{ version: 1 }], nextBefore: null });
    expect((await listInventoryReports({ deviceId: bare, query: { limit: 10 } })).reports).toEqual([]);
  });

  it('compares two reports: the changes in between collapsed, in either order', async () => {
    const [v1, v2, , v3, v4] = reports;
    const comparison = await compareInventoryReports({ deviceId: device, query: { from: v4, to: v1 } });
    expect(comparison.from).toMatchObject({ id: v1, version: 1 });
    expect(comparison.to).toMatchObject({ id: v4, version: 4 });
    expect(comparison.reportsBetween).toBe(3);
    expect(comparison.changes).toEqual({
      partial: false,
      hardware: [{ className: 'disk', change: 'changed', before: 1, after: 1 }],
      // htop came and went; openssl went 3.0.11 → 3.0.12 → 3.0.13.
      software: {
        added: [{ name: 'curl', version: '8.5.0-2', arch: 'amd64' }],
        removed: [],
        upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.13-1' }],
      },
    });
    const one = await compareInventoryReports({ deviceId: device, query: { from: v2, to: v3 } });
    expect(one.reportsBetween).toBe(1);
    expect(one.changes.software.removed).toEqual([{ name: 'htop', version: '3.3.0', arch: 'amd64' }]);
    expect((await compareInventoryReports({ deviceId: device, query: { from: v2, to: v2 } })).reportsBetween).toBe(0);
    // The unreadable report leaves a gap the answer owns up to.
    expect((await compareInventoryReports({ deviceId: device, query: { from: v4, to: reports[5] } })).changes.partial).toBe(true);
  });

  it("refuses a report that is not the device's", async () => {
    expect(await notFound(compareInventoryReports({ deviceId: device, query: { from: reports[0], to: reports[2] } }))).toBe(
      `to: inventory report ${reports[2]} of device ${device} was not found.`,
    );
    expect(await notFound(compareInventoryReports({ deviceId: device, query: { from: '99999999', to: reports[0] } }))).toMatch(/^from: /);
  });
});
