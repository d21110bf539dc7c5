// Inventory and heartbeat discovery end to end: a real agent process against the management
// point's real inventory and heartbeat routes on a real database. The one stand-in is the
// package database: a dpkg status file the test writes and changes, and a folder of snaps.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import type { ClientAction } from '@/lib/protocol/agent-protocol.schema';
import { inventoryReportSchema, type InventoryReport } from '@/lib/protocol/inventory.schema';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { admin, eventually, targetStates } from '../notification/fleet';
import { agentFromSources, ensureSite, onlineDevice, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let dir = '';
const agents: AgentProcess[] = [];
const paragraph = (name: string, version: string) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`;

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-agent-inventory-'));
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The reports the management point stored for the inventory loader, oldest first. */
async function inbox(deviceId: number): Promise<InventoryReport[]> {
  const { rows } = await pool().query<{ body: Buffer }>(`SELECT body FROM inventory_inbox WHERE device_id = $1 ORDER BY id`, [deviceId]);
  return rows.map((r) => inventoryReportSchema.parse(JSON.parse(gunzipSync(r.body).toString('utf8'))));
}

async function runAction(deviceId: number, action: ClientAction) {
  const operation = await startClientOperation({
    actor: admin,
    settings: { operationValidityMinutes: 60 },
    input: { action, target: { deviceIds: [deviceId] } },
  });
  await eventually(
    () => targetStates(operation.id),
    (s) => (s.SUCCEEDED ?? 0) + (s.FAILED ?? 0) === 1,
    60_000,
  );
  return (await listOperationTargets(operation.id, { page: 1, pageSize: 25 })).rows[0];
}

describe('inventory on the real agent', () => {
  it('sends a full inventory and a heartbeat at start, then a delta after a package change', async () => {
    const name = 'INV-01';
    const statusFile = path.join(dir, 'dpkg-status');
    await mkdir(path.join(dir, 'dpkg-info'));
    await writeFile(statusFile, [paragraph('bash', '5.2.15-2'), paragraph('curl', '7.88.1-10')].join('\n'));
    const snapDir = path.join(dir, 'snap');
    await mkdir(path.join(snapDir, 'pycharm-professional', '512', 'meta'), { recursive: true });
    await writeFile(path.join(snapDir, 'pycharm-professional', '512', 'meta', 'snap.yaml'), 'name: pycharm-professional\nversion: 2024.3\n');
    await symlink('512', path.join(snapDir, 'pycharm-professional', 'current'));
    const today = new Date().toISOString().slice(0, 10);
    const agent = agentFromSources([
      'run',
      '--mp',
      mp.url,
      '--name',
      name,
      '--state',
      path.join(dir, 'state'),
      '--dpkg-status',
      statusFile,
      '--dpkg-info',
      path.join(dir, 'dpkg-info'),
      '--snap-dir',
      snapDir,
    ]);
    agents.push(agent);
    const fail = (error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agent.output()}`);
    };
    const device = (await eventually(
      () => onlineDevice(name),
      (d) => d !== null,
      30_000,
    ).catch(fail))!;

    const [full] = await eventually(
      () => inbox(device.id),
      (list) => list.length >= 1,
      30_000,
    ).catch(fail);
    expect(full).toMatchObject({ kind: 'full', version: 1, deviceId: device.id });
    if (full.kind !== 'full') throw new Error('expected a full report');
    expect(full.software).toEqual({
      source: 'dpkg',
      packages: [
        ['bash', '5.2.15-2', 'amd64', null],
        ['curl', '7.88.1-10', 'amd64', null],
        // Linked just now: today, or yesterday for a test that crosses midnight.
        ['pycharm-professional', '2024.3', 'all', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 'snap'],
      ],
    });
    expect([today, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)]).toContain(full.software.packages[2][3]);
    expect(full.hardware.operatingSystem?.[0]).toMatchObject({ platform: 'linux' });
    expect(full.hardware.memory?.length).toBeGreaterThan(0);

    const heartbeat = await eventually(
      async () => (await pool().query(`SELECT last_heartbeat_at, client_version FROM device WHERE id = $1`, [device.id])).rows[0],
      (row) => row.last_heartbeat_at !== null,
      30_000,
    ).catch(fail);
    expect(heartbeat.client_version).toBe('1.0.0');

    await writeFile(statusFile, [paragraph('bash', '5.2.15-2'), paragraph('curl', '7.88.1-10+deb12u8'), paragraph('git', '1:2.39.5-0')].join('\n'));
    const software = await runAction(device.id, 'SOFTWARE_INVENTORY_CYCLE');
    expect(software.state).toBe('SUCCEEDED');
    expect(software.result?.message).toBe('Software inventory sent (delta, 2 added, 1 removed).');
    const [, delta] = await eventually(
      () => inbox(device.id),
      (list) => list.length >= 2,
      30_000,
    ).catch(fail);
    expect(delta).toMatchObject({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      software: {
        source: 'dpkg',
        added: [
          ['curl', '7.88.1-10+deb12u8', 'amd64', null],
          ['git', '1:2.39.5-0', 'amd64', null],
        ],
        removed: [['curl', '7.88.1-10', 'amd64']],
      },
    });

    const hardware = await runAction(device.id, 'HARDWARE_INVENTORY_CYCLE');
    expect(hardware.state).toBe('SUCCEEDED');
    expect(hardware.result?.message).toMatch(/^Hardware inventory sent \(delta, \d+ class(es)? changed\)\.$/);
    const discovery = await runAction(device.id, 'DISCOVERY_DATA_COLLECTION_CYCLE');
    expect(discovery.state).toBe('SUCCEEDED');
    expect(discovery.result?.message).toBe(`Discovery data record sent to ${mp.url}.`);
    const reports = await eventually(
      () => inbox(device.id),
      (list) => list.length >= 3,
      30_000,
    ).catch(fail);
    expect(reports[2]).toMatchObject({ kind: 'delta', version: 3, baseVersion: 2 });

    // The site loses what it held: the next delta names a base it does not have, is answered 409,
    // and the agent sends a full report in its place.
    await pool().query(`DELETE FROM inventory_inbox WHERE device_id = $1`, [device.id]);
    expect((await runAction(device.id, 'HARDWARE_INVENTORY_CYCLE')).state).toBe('SUCCEEDED');
    const [resync] = await eventually(
      () => inbox(device.id),
      (list) => list.length >= 1,
      30_000,
    ).catch(fail);
    expect(resync).toMatchObject({ kind: 'full', version: 5 });
    expect(agent.output()).toContain('the site asked for a full inventory');
  });
});
