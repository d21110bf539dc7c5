import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InventoryClient, type InventoryClientOptions } from '@/lib/agent/inventory/inventory-client';
import { clientPolicySchema } from '@/lib/protocol/policy.schema';
import { InventoryProtocolServer } from './protocol-server';

// The agent's inventory pipeline against a small server that speaks the inventory protocol the
// site's management point answers with (202, 200 duplicate, 409 resync, 400 refused). The only
// stand-in is the package database: a dpkg status file the test writes.

const credential = { deviceId: 42, secret: 's'.repeat(40), name: 'TEST-PC' };
const authorization = `Device ${credential.deviceId}.${credential.secret}`;

const paragraph = (name: string, version: string) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`;
const basePackages = [paragraph('bash', '5.2.15-2'), paragraph('curl', '7.88.1-10'), paragraph('vim', '9.0.1378-2')];

/** A port nothing listens on: a management point that is down. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('inventory client', () => {
  const server = new InventoryProtocolServer(authorization);
  const clients: InventoryClient[] = [];
  let down = '';

  beforeAll(async () => {
    await server.start();
    down = await deadUrl();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });
  afterAll(() => server.stop());

  async function setup() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-inventory-'));
    const dpkgStatusFile = path.join(dir, 'dpkg-status');
    await mkdir(path.join(dir, 'dpkg-info'));
    await writeFile(dpkgStatusFile, basePackages.join('\n'));
    const lines: string[] = [];
    const waiters: { text: string; resolve: () => void }[] = [];
    const line = (_fields: object, msg?: string) => {
      lines.push(msg ?? '');
      for (const w of waiters.splice(0))
        if ((msg ?? '').includes(w.text)) w.resolve();
        else waiters.push(w);
    };
    const options: InventoryClientOptions = {
      stateDir: path.join(dir, 'state'),
      agentVersion: '1.0.0',
      // A management point that is down comes first: every request fails over to the next.
      managementPointUrls: [down, server.url],
      credential,
      software: { dpkgStatusFile, dpkgInfoDir: path.join(dir, 'dpkg-info') },
      initialBackoffMs: 20,
      maxBackoffMs: 100,
      log: { info: line, warn: line, debug: line },
    };
    const newClient = (overrides: Partial<InventoryClientOptions> = {}) => {
      const client = new InventoryClient({ ...options, ...overrides });
      clients.push(client);
      return client;
    };
    const logged = (text: string) =>
      lines.some((l) => l.includes(text)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }));
    return { dir, dpkgStatusFile, options, newClient, logged };
  }

  it('keeps a report spooled while no management point answers, sends it once after an agent restart, then sends deltas', async () => {
    const { options, dpkgStatusFile, newClient, logged } = await setup();
    const first = newClient({ managementPointUrls: [down] });
    await first.start();
    await logged('no management point took the inventory');
    await first.stop();
    expect(await readdir(path.join(options.stateDir, 'spool'))).toEqual(['v0000000001-full.inventory.json']);
    expect(server.received).toHaveLength(0);

    const second = newClient();
    await second.start();
    await second.flush();
    await server.until(() => server.heartbeats.length > 0);
    expect(server.received).toHaveLength(1);
    const full = server.received[0];
    expect(full).toMatchObject({ kind: 'full', version: 1, deviceId: 42 });
    if (full.kind !== 'full') throw new Error('expected a full report');
    expect(full.software).toEqual({
      source: 'dpkg',
      packages: [
        ['bash', '5.2.15-2', 'amd64', null],
        ['curl', '7.88.1-10', 'amd64', null],
        ['vim', '9.0.1378-2', 'amd64', null],
      ],
    });
    expect(full.hardware.operatingSystem?.length).toBe(1);
    expect(server.heartbeats[0]).toMatchObject({ deviceId: 42, name: 'TEST-PC', agentVersion: '1.0.0' });
    expect(await readdir(path.join(options.stateDir, 'spool'))).toEqual([]);
    // The restart did not inventory again: the next hardware and software runs are a cycle (7 days) away.
    const weekAway = Date.now() + 6 * 24 * 3_600_000;
    expect(second.nextRuns().hardware!.getTime()).toBeGreaterThan(weekAway);
    expect(second.nextRuns().software!.getTime()).toBeGreaterThan(weekAway);

    await writeFile(dpkgStatusFile, [...basePackages, paragraph('git', '1:2.39.5-0')].join('\n'));
    expect(await second.runCycle('software')).toBe('Software inventory sent (delta, 1 added, 0 removed).');
    await second.flush();
    expect(server.received[1]).toEqual(
      expect.objectContaining({
        kind: 'delta',
        version: 2,
        baseVersion: 1,
        software: { source: 'dpkg', added: [['git', '1:2.39.5-0', 'amd64', null]], removed: [] },
      }),
    );
    expect(await second.runCycle('hardware')).toMatch(/^Hardware inventory sent \(delta, \d+ class(es)? changed\)\.$/);
    await second.flush();
    expect(server.received[2]).toMatchObject({ kind: 'delta', version: 3, baseVersion: 2 });
    expect(server.answers.filter((a) => a.status !== 202)).toEqual([]);
  });

  it('answers a 409 by dropping the delta and sending a full report, and chains deltas on that', async () => {
    const { newClient } = await setup();
    const client = newClient();
    await client.start();
    await client.flush();
    const fullVersion = server.version;
    server.answers.length = 0;
    // The site lost this device's inventory: it holds no version the agent's delta could name.
    server.version = 0;
    expect(await client.runCycle('hardware')).toMatch(/^Hardware inventory sent \(delta/);
    await client.flush();
    expect(server.answers).toEqual([
      { status: 409, kind: 'delta', version: fullVersion + 1 },
      { status: 202, kind: 'full', version: fullVersion + 2 },
    ]);
    await client.runCycle('software');
    await client.flush();
    expect(server.answers[2]).toEqual({ status: 202, kind: 'delta', version: fullVersion + 3 });
    expect(server.received.at(-1)).toMatchObject({ baseVersion: fullVersion + 2 });
  });

  it('drops a report the site refuses (400) without sending it again, and makes the next one full', async () => {
    const { options, newClient } = await setup();
    const client = newClient();
    await client.start();
    await client.flush();
    server.answers.length = 0;
    server.refuseNext = [400];
    await client.runCycle('hardware');
    await client.flush();
    expect(server.answers).toHaveLength(1);
    expect(server.answers[0]).toMatchObject({ status: 400, kind: 'delta' });
    expect(await readdir(path.join(options.stateDir, 'spool'))).toEqual([]);
    expect(await client.runCycle('software')).toMatch(/^Software inventory sent \(full, 9 classes, 3 packages\)\.$/);
    await client.flush();
    expect(server.answers[1]).toMatchObject({ status: 202, kind: 'full' });
  });

  it('sets a torn spool file aside without sending it, and sends a full report at once', async () => {
    const { options, newClient, logged } = await setup();
    const first = newClient();
    await first.start();
    await first.flush();
    await first.stop();
    // A crash mid-write left the next delta half written (the state was not saved after it).
    const spoolDir = path.join(options.stateDir, 'spool');
    const next = server.version + 1;
    const name = `v${String(next).padStart(10, '0')}-delta.inventory.json`;
    const torn = JSON.stringify({ kind: 'delta', reportId: randomUUID(), deviceId: 42, version: next }).slice(0, 40);
    await writeFile(path.join(spoolDir, name), torn);
    server.answers.length = 0;

    const client = newClient();
    await client.start();
    await client.flush();
    expect(server.answers).toEqual([{ status: 202, kind: 'full', version: next }]);
    await logged('inventory report cannot be read; set aside');
    expect(await readdir(spoolDir)).toEqual(['unreadable']);
    expect(await readFile(path.join(spoolDir, 'unreadable', name), 'utf8')).toBe(torn);
  });

  it('takes its cycles from policy, and answers a resync policy asks for once', async () => {
    const { newClient } = await setup();
    const client = newClient();
    await client.start();
    await client.flush();
    const policy = (extra: object) =>
      clientPolicySchema.parse({
        deviceId: 42,
        deviceName: 'TEST-PC',
        siteControlSerial: 3,
        clientAgent: {
          policyPollingMinutes: 60,
          clientNotification: true,
          inventory: { enabled: false, every: 1, unit: 'days' },
          softwareInventory: { enabled: true, every: 2, unit: 'hours' },
        },
        deployments: [],
        ...extra,
      });
    const before = server.received.length;
    client.onPolicy(policy({ inventory: { resync: true } }));
    client.onPolicy(policy({ inventory: { resync: true } }));
    await client.flush();
    expect(server.received.slice(before).map((r) => r.kind)).toEqual(['full']);
    const runs = client.nextRuns();
    expect(runs.hardware).toBeNull();
    expect(runs.software!.getTime() - Date.now()).toBeGreaterThan(1.9 * 3_600_000);
    expect(runs.software!.getTime() - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    // An older site's policy has no cycles: the defaults (7 days) hold.
    expect(
      clientPolicySchema.parse({
        deviceId: 1,
        deviceName: 'A',
        siteControlSerial: 0,
        clientAgent: { policyPollingMinutes: 60, clientNotification: true },
        deployments: [],
      }).clientAgent.heartbeatDiscovery,
    ).toEqual({
      enabled: true,
      every: 7,
      unit: 'days',
    });
  });
  it('inventories again at once when its clock, far ahead at the last runs, has been put right', async () => {
    const { newClient } = await setup();
    const ahead = newClient({ now: () => new Date(Date.now() + 400 * 86_400_000) });
    await ahead.start();
    await ahead.flush();
    await ahead.stop();
    const sent = server.received.length;

    const client = newClient();
    await client.start();
    await client.flush();
    expect(server.received.length).toBeGreaterThan(sent);
    const week = 7 * 86_400_000 + 60_000;
    for (const at of Object.values(client.nextRuns())) expect(at!.getTime() - Date.now()).toBeLessThanOrEqual(week);
  });
});
