// Resource Explorer's routes: a signed-in user reads a device's inventory, software, history and
// a comparison; an unknown device or report is a 404, a bad parameter a 400 naming it.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as compareGET } from '@/app/api/devices/[id]/inventory/compare/route';
import { GET as reportsGET } from '@/app/api/devices/[id]/inventory/reports/route';
import { GET as inventoryGET } from '@/app/api/devices/[id]/inventory/route';
import { GET as softwareGET } from '@/app/api/devices/[id]/software/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { changes, insertReport, setHardwareClasses, setInstalledSoftware } from '../../support/inventory-fixture';

type Handler = (req: ReturnType<typeof request>, ctx: ReturnType<typeof withParams>) => Promise<Response>;

let analyst: TestSession;
let device: number;
let other: number;
let v1: string;
let v3: string;
let othersReport: string;

function get(handler: Handler, id: string | number, path: string, session: TestSession | null = analyst) {
  return handler(request(`/api/devices/${id}${path}`, { headers: session?.headers }), withParams({ id: String(id) }));
}

async function json(res: Response, status = 200) {
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json();
}

async function badFields(res: Response): Promise<string[]> {
  const { error } = await json(res, 400);
  expect(error.code).toBe('BAD_REQUEST');
  return error.fields.map((f: { path: string }) => f.path);
}

describe('Resource Explorer routes', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 5 });
    const { rows } = await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id LIMIT 2`);
    [device, other] = rows.map((r) => r.id);
    await setHardwareClasses(device, { memory: [{ sizeBytes: 8_589_934_592, type: 'DDR4' }] });
    await setInstalledSoftware(device, [
      { name: 'openssl', version: '3.0.13-1' },
      { name: 'nginx', version: '1.24.0-2' },
    ]);
    const at = (d: number) => new Date(Date.UTC(2025, 0, d));
    v1 = await insertReport(device, { kind: 'FULL', version: 1, collectedAt: at(1), changes: changes({ baseline: true }) });
    await insertReport(device, {
      kind: 'DELTA',
      version: 2,
      collectedAt: at(8),
      changes: changes({ upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.12-1' }] }),
    });
    v3 = await insertReport(device, {
      kind: 'DELTA',
      version: 3,
      collectedAt: at(15),
      changes: changes({ upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.12-1', to: '3.0.13-1' }] }),
    });
    othersReport = await insertReport(other, { kind: 'FULL', version: 1, collectedAt: at(2), changes: changes({ baseline: true }) });
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('needs a signed-in user', async () => {
    expect((await get(inventoryGET, device, '/inventory', null)).status).toBe(401);
    expect((await get(softwareGET, device, '/software', null)).status).toBe(401);
    expect((await get(reportsGET, device, '/inventory/reports', null)).status).toBe(401);
    expect((await get(compareGET, device, `/inventory/compare?from=${v1}&to=${v3}`, null)).status).toBe(401);
  });

  it('answers the inventory, the software, the history and a comparison to a read-only analyst', async () => {
    const inventory = await json(await get(inventoryGET, device, '/inventory'));
    expect(inventory.device).toMatchObject({ id: device, hasInventory: true });
    expect(inventory.hardware).toEqual([
      { className: 'memory', instances: [{ sizeBytes: 8_589_934_592, type: 'DDR4' }], updatedAt: expect.any(String) },
    ]);

    const software = await json(await get(softwareGET, device, '/software?search=SSL'));
    expect(software).toEqual({
      rows: [{ name: 'openssl', version: '3.0.13-1', arch: 'amd64', source: 'dpkg', installedOn: null }],
      total: 1,
      offset: 0,
      limit: 200,
    });
    const sorted = await json(await get(softwareGET, device, '/software?sort=name&dir=desc&limit=1&offset=1'));
    expect(sorted).toMatchObject({ rows: [{ name: 'nginx' }], total: 2, offset: 1, limit: 1 });

    const history = await json(await get(reportsGET, device, '/inventory/reports?limit=2'));
    expect(history.reports.map((r: { version: number }) => r.version)).toEqual([3, 2]);
    const older = await json(await get(reportsGET, device, `/inventory/reports?limit=2&before=${history.nextBefore}`));
    expect(older).toMatchObject({ reports: [{ id: v1, version: 1 }], nextBefore: null });

    const comparison = await json(await get(compareGET, device, `/inventory/compare?from=${v1}&to=${v3}`));
    expect(comparison.changes.software.upgraded).toEqual([{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.13-1' }]);
    expect(comparison).toMatchObject({ from: { version: 1 }, to: { version: 3 }, reportsBetween: 2 });
  });

  it('answers 404 for a device that does not exist, on every route', async () => {
    for (const [handler, path] of [
      [inventoryGET, '/inventory'],
      [softwareGET, '/software'],
      [reportsGET, '/inventory/reports'],
      [compareGET, `/inventory/compare?from=${v1}&to=${v3}`],
    ] as const) {
      const { error } = await json(await get(handler, 2_147_483_000, path), 404);
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'Device 2147483000 was not found.' });
    }
  });

  it("answers 404 naming the report that is not the device's", async () => {
    const { error } = await json(await get(compareGET, device, `/inventory/compare?from=${v1}&to=${othersReport}`), 404);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`to: inventory report ${othersReport} of device ${device} was not found.`);
  });

  it('answers 400 naming the bad parameter', async () => {
    expect(await badFields(await get(inventoryGET, 'abc', '/inventory'))).toEqual(['id']);
    expect(await badFields(await get(inventoryGET, '0', '/inventory'))).toEqual(['id']);
    expect(await badFields(await get(softwareGET, '99999999999', '/software'))).toEqual(['id']);
    expect(await badFields(await get(softwareGET, device, '/software?sort=size'))).toEqual(['sort']);
    expect(await badFields(await get(softwareGET, device, '/software?dir=up'))).toEqual(['dir']);
    expect(await badFields(await get(softwareGET, device, '/software?limit=501'))).toEqual(['limit']);
    expect(await badFields(await get(softwareGET, device, '/software?offset=-1'))).toEqual(['offset']);
    expect(await badFields(await get(softwareGET, device, `/software?search=${'x'.repeat(101)}`))).toEqual(['search']);
    expect(await badFields(await get(softwareGET, device, '/software?search=a%00b'))).toEqual(['search']);
    expect(await badFields(await get(reportsGET, device, '/inventory/reports?before=x1'))).toEqual(['before']);
    expect(await badFields(await get(reportsGET, device, '/inventory/reports?limit=0'))).toEqual(['limit']);
    expect(await badFields(await get(compareGET, device, `/inventory/compare?from=${v1}`))).toEqual(['to']);
    expect(await badFields(await get(compareGET, device, `/inventory/compare?from=99999999999999999999&to=${v3}`))).toEqual(['from']);
  });
});
