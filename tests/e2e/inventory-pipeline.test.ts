// The inventory pipeline end to end with real parts: a real agent process sends its hardware and
// software inventory to a real Sitebox server (management point routes, notification server,
// inventory-loader worker) on a test database; Resource Explorer, Client Operations and collection
// previews answer over HTTP. The one stand-in is the package database: a dpkg status file the test
// writes and changes. Last, the management point goes down while the agent spools a report, and
// the report is loaded once it is back on the same port and database.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { signInAs, type TestSession } from '../support/console-session';
import { useTestDatabase } from '../support/database';
import { agentFromSources, onlineDevice, type AgentProcess } from '../lib/agent/agent-process';

const WORKERS = ['inventory-loader'];
const NAME = 'INV-E2E-01';
// Generous: the machine may be busy; every wait ends as soon as its condition holds.
const LOAD = { timeout: 120_000, interval: 500 };

const paragraph = ([name, version]: readonly [string, string]) =>
  `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\nDescription: ${name} for the test\n`;
const dpkgStatus = (packages: readonly (readonly [string, string])[]) => packages.map(paragraph).join('\n');

const first = [
  ['bash', '5.2.15-2'],
  ['curl', '7.88.1-10'],
  ['nano', '7.2-1'],
] as const;
// curl upgraded, nano removed, git added.
const second = [
  ['bash', '5.2.15-2'],
  ['curl', '7.88.1-10+deb12u8'],
  ['git', '1:2.39.5-0+deb12u1'],
] as const;
// While the management point is down: vim added.
const third = [...second, ['vim', '2:9.0.1378-2']] as const;

interface ReportRow {
  id: string;
  kind: 'FULL' | 'DELTA';
  version: number;
  changes: {
    baseline: boolean;
    software: { added: { name: string; version: string }[]; removed: { name: string; version: string }[]; upgraded: unknown[] };
  };
}

describe('the inventory pipeline with a real agent and a real server', () => {
  let databaseUrl = '';
  let server: AppServer | null = null;
  let agent: AgentProcess | null = null;
  let dir = '';
  let statusFile = '';
  let deviceId = 0;
  let operator: TestSession;
  let port = '';
  let fullReportId = '';
  let deltaReportId = '';

  const agentArgs = () => [
    'run',
    '--mp',
    server!.url,
    '--name',
    NAME,
    '--state',
    path.join(dir, 'state'),
    '--dpkg-status',
    statusFile,
    '--dpkg-info',
    path.join(dir, 'dpkg-info'),
    // No snaps: the host's own would join the packages this test expects.
    '--snap-dir',
    path.join(dir, 'no-snaps'),
  ];
  const startServer = async (env: Record<string, string> = {}) => {
    server = await startAppServer({
      databaseUrl,
      // The notification channel on the console port (/agents), so the one port is all the agent needs.
      env: { SITEBOX_WORKERS: WORKERS.join(','), SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0', ...env },
    });
  };
  /** Says what the agent and the server printed when a wait or an assertion fails. */
  const explain = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- agent output:\n${agent?.output().slice(-6000)}\n--- server output:\n${server?.output().slice(-6000)}`);
  };

  const api = async <T = unknown>(urlPath: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(new URL(urlPath, server!.url), {
      method: init.method ?? 'GET',
      headers: { ...operator.headers, 'content-type': 'application/json', origin: server!.url },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const deviceRow = async () =>
    (
      await pool().query<{
        memory_mb: number | null;
        disk_free_mb: number | null;
        os_name: string;
        last_hw_inventory_at: Date | null;
        last_sw_inventory_at: Date | null;
        last_heartbeat_at: Date | null;
      }>(`SELECT memory_mb, disk_free_mb, os_name, last_hw_inventory_at, last_sw_inventory_at, last_heartbeat_at FROM device WHERE id = $1`, [
        deviceId,
      ])
    ).rows[0];
  const installed = async () =>
    (
      await pool().query<{ name: string; version: string; arch: string; source: string }>(
        `SELECT p.name, p.version, p.arch, p.source FROM device_software s JOIN software_product p ON p.id = s.product_id
         WHERE s.device_id = $1 ORDER BY p.name`,
        [deviceId],
      )
    ).rows;
  const reports = async () =>
    (
      await pool().query<ReportRow>(`SELECT id::text, kind::text, version, changes FROM inventory_report WHERE device_id = $1 ORDER BY id`, [
        deviceId,
      ])
    ).rows;
  const asRows = (packages: readonly (readonly [string, string])[]) =>
    packages.map(([name, version]) => ({ name, version, arch: 'amd64', source: 'dpkg' }));

  beforeAll(async () => {
    ({ url: databaseUrl } = await useTestDatabase());
    await seedDemoSite({ devices: 0, workers: WORKERS });
    operator = await signInAs('OPERATIONS_ADMINISTRATOR', 'inventory-operator');
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-inventory-e2e-'));
    statusFile = path.join(dir, 'dpkg-status');
    await mkdir(path.join(dir, 'dpkg-info'));
    await writeFile(statusFile, dpkgStatus(first));
    await startServer();
    port = new URL(server!.url).port;
    agent = agentFromSources(agentArgs());
  }, 300_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads the real inventory after the agent starts and shows it in Resource Explorer', async () => {
    await expect
      .poll(() => onlineDevice(NAME), LOAD)
      .not.toBeNull()
      .catch(explain);
    deviceId = (await onlineDevice(NAME))!.id;

    await expect
      .poll(async () => {
        const row = await deviceRow();
        return row.last_hw_inventory_at !== null && row.last_sw_inventory_at !== null && row.last_heartbeat_at !== null;
      }, LOAD)
      .toBe(true)
      .catch(explain);
    const row = await deviceRow();
    expect(row.memory_mb).toBeGreaterThan(0);
    expect(row.disk_free_mb).not.toBeNull();
    expect(row.os_name).not.toBe('');
    expect(await installed()).toEqual(asRows(first));

    const loaded = await reports();
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ kind: 'FULL', version: 1, changes: { baseline: true } });
    fullReportId = loaded[0].id;

    const inventory = await api<{ device: { id: number; memoryMb: number; hasInventory: boolean }; hardware: { className: string }[] }>(
      `/api/devices/${deviceId}/inventory`,
    );
    expect(inventory.status).toBe(200);
    expect(inventory.body.device).toMatchObject({ id: deviceId, hasInventory: true, memoryMb: row.memory_mb });
    const classes = inventory.body.hardware.map((h) => h.className);
    expect(classes).toEqual(expect.arrayContaining(['system', 'operatingSystem', 'processor', 'memory', 'fileSystem']));

    const search = await api<{ rows: { name: string; version: string }[]; total: number }>(`/api/devices/${deviceId}/software?search=CUR`);
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(1);
    expect(search.body.rows).toMatchObject([{ name: 'curl', version: '7.88.1-10' }]);
  }, 300_000);

  it('loads the delta of a pushed Software Inventory Cycle, and compares the two reports the same way', async () => {
    await writeFile(statusFile, dpkgStatus(second));
    const started = await api<{ id: number; total: number }>('/api/client-operations', {
      method: 'POST',
      body: { action: 'SOFTWARE_INVENTORY_CYCLE', target: { deviceIds: [deviceId] } },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.total).toBe(1);
    const target = async () =>
      (await api<{ rows: { state: string; result: { message?: string } | null }[] }>(`/api/client-operations/${started.body.id}/targets`)).body
        .rows[0];
    await expect
      .poll(async () => (await target()).state, LOAD)
      .toMatch(/^(SUCCEEDED|FAILED)$/)
      .catch(explain);
    expect(await target()).toMatchObject({ state: 'SUCCEEDED', result: { message: 'Software inventory sent (delta, 2 added, 2 removed).' } });

    await expect
      .poll(async () => (await reports()).length, LOAD)
      .toBe(2)
      .catch(explain);
    expect(await installed()).toEqual(asRows(second));
    const delta = (await reports())[1];
    deltaReportId = delta.id;
    expect(delta).toMatchObject({ kind: 'DELTA', version: 2 });
    const expectedSoftware = {
      added: [{ name: 'git', version: '1:2.39.5-0+deb12u1', arch: 'amd64' }],
      removed: [{ name: 'nano', version: '7.2-1', arch: 'amd64' }],
      upgraded: [{ name: 'curl', arch: 'amd64', from: '7.88.1-10', to: '7.88.1-10+deb12u8' }],
    };
    expect(delta.changes).toMatchObject({ baseline: false, hardware: [], software: expectedSoftware });

    // Either order: the older report first in the answer.
    const compare = await api<{ from: { id: string }; to: { id: string }; reportsBetween: number; changes: unknown }>(
      `/api/devices/${deviceId}/inventory/compare?from=${deltaReportId}&to=${fullReportId}`,
    );
    expect(compare.status).toBe(200);
    expect(compare.body).toMatchObject({
      from: { id: fullReportId, kind: 'FULL', version: 1 },
      to: { id: deltaReportId, kind: 'DELTA', version: 2 },
      reportsBetween: 1,
      changes: { partial: false, hardware: [], software: expectedSoftware },
    });
  }, 300_000);

  it('previews collections by package version against the loaded delta', async () => {
    const preview = async (conditions: unknown[]) => {
      const res = await api<{ count: number; sample: { id: number }[] }>('/api/collections/preview', {
        method: 'POST',
        body: { rules: [{ kind: 'QUERY', query: { match: 'all', conditions } }] },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    expect((await preview([{ field: 'software', name: 'curl', version: { op: '<', value: '7.88.1-10+deb12u8' } }])).count).toBe(0);
    const has = await preview([{ field: 'software', name: 'curl' }]);
    expect(has.count).toBe(1);
    expect(has.sample.map((d) => d.id)).toEqual([deviceId]);
    // The new version itself, and the removed package, answer as the device now is.
    expect((await preview([{ field: 'software', name: 'curl', version: { op: '=', value: '7.88.1-10+deb12u8' } }])).count).toBe(1);
    expect((await preview([{ field: 'software', name: 'nano' }])).count).toBe(0);
  }, 120_000);

  it('keeps a report spooled while the management point is down and loads it once it is back', async () => {
    const spool = path.join(dir, 'state', 'inventory', 'spool');
    const stateFile = path.join(dir, 'state', 'inventory', 'inventory-state.json');
    await server!.stop();
    await agent!.stop();

    // The machine was off for over a week: its software inventory cycle (7 days until policy
    // says otherwise) is overdue, so the agent runs it at start, and a package changed meanwhile.
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { nextVersion: number; lastRun: Record<string, string> };
    expect(state.nextVersion).toBe(3);
    state.lastRun.software = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await writeFile(stateFile, JSON.stringify(state));
    await writeFile(statusFile, dpkgStatus(third));
    agent = agentFromSources(agentArgs());

    // Spooled, and not sent: nothing listens on the management point's port.
    await expect
      .poll(async () => (await readdir(spool).catch(() => [])).filter((f) => f.endsWith('.inventory.json')), LOAD)
      .toEqual(['v0000000003-delta.inventory.json'])
      .catch(explain);
    const spooled = JSON.parse(await readFile(path.join(spool, 'v0000000003-delta.inventory.json'), 'utf8'));
    expect(spooled).toMatchObject({
      kind: 'delta',
      version: 3,
      baseVersion: 2,
      software: { added: [['vim', '2:9.0.1378-2', 'amd64', null]], removed: [] },
    });
    expect(
      await fetch(server!.url).then(
        () => 'answered',
        () => 'down',
      ),
    ).toBe('down');
    expect((await reports()).length).toBe(2);

    // The same port and database: the agent's sender finds it on its next try.
    await startServer({ PORT: port });
    await expect
      .poll(async () => (await reports()).length, { ...LOAD, timeout: 300_000 })
      .toBe(3)
      .catch(explain);
    const loaded = (await reports())[2];
    expect(loaded).toMatchObject({
      kind: 'DELTA',
      version: 3,
      changes: { baseline: false, software: { added: [{ name: 'vim', version: '2:9.0.1378-2' }], removed: [], upgraded: [] } },
    });
    expect(await installed()).toEqual(asRows(third));
    await expect
      .poll(async () => (await readdir(spool)).filter((f) => f.endsWith('.inventory.json')), LOAD)
      .toEqual([])
      .catch(explain);
    // Nothing lost, nothing twice: versions 1, 2 and 3 once each.
    expect((await reports()).map((r) => r.version)).toEqual([1, 2, 3]);
  }, 600_000);
});
