// The agent's metering usage spool against a real management point door and database: a refused
// run is dropped alone (the rest stored), a batch sent again stores nothing twice, and a failing
// management point (unreachable, 503) keeps the spool for a later try, failing over to the next.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteringUsageUploader } from '@/lib/agent/metering/usage-uploader';
import { pool } from '@/lib/db/pool';
import type { MeteringUsageRun } from '@/lib/protocol/metering-usage.schema';
import { approvedDevices, startLeanUploads } from '../../../support/approved-devices';
import { useTestDatabase } from '../../../support/database';

let lean: Awaited<ReturnType<typeof startLeanUploads>>;
let auth: Record<string, string> = {};
let dir = '';
const unavailable = createServer((_req, res) => res.writeHead(503, { 'retry-after': '1' }).end('{}'));
let unavailableUrl = '';
const warnings: object[] = [];
const log = { info() {}, debug() {}, warn: (obj: object) => void warnings.push(obj) };

const run = (key: string, overrides: Partial<MeteringUsageRun> = {}): MeteringUsageRun => ({
  ruleId: 7,
  usageKey: key,
  startedAt: '2026-12-02T08:00:00.000Z',
  endedAt: '2026-12-02T08:30:00.000Z',
  userName: 'bob',
  processId: 99,
  filePath: '/usr/bin/tool',
  fileVersion: '',
  endEstimated: false,
  ...overrides,
});
const uploader = (name: string, urls: string[]) =>
  new MeteringUsageUploader({ spoolDir: path.join(dir, name), managementPointUrls: urls, authorization: auth.WKS1, log });
const storedKeys = async () =>
  (await pool().query<{ usage_key: string }>(`SELECT usage_key FROM metering_usage ORDER BY usage_key`)).rows.map((r) => r.usage_key);

beforeAll(async () => {
  await useTestDatabase();
  await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  ({ auth } = await approvedDevices(['WKS1']));
  lean = await startLeanUploads();
  await new Promise<void>((resolve) => unavailable.listen(0, '127.0.0.1', resolve));
  unavailableUrl = `http://127.0.0.1:${(unavailable.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-usage-spool-'));
});
afterAll(async () => {
  await lean?.stop();
  await new Promise((resolve) => unavailable.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('metering usage spool and upload', () => {
  it('drops the run the management point refuses, stores the rest, and stores a resent run once', async () => {
    const spool = uploader('a', [lean.url]);
    await spool.spool([run('boot:1:10:7'), run('boot:2:20:7', { endedAt: '2026-12-02T07:00:00.000Z' }), run('boot:3:30:7')]);
    expect(await spool.pending()).toHaveLength(3);
    expect(await spool.upload()).toBe('empty');
    expect(await spool.pending()).toEqual([]);
    expect(await storedKeys()).toEqual(['boot:1:10:7', 'boot:3:30:7']);
    expect(warnings).toEqual([expect.objectContaining({ status: 400, message: expect.stringMatching(/^usage\.1\.endedAt/) })]);

    // The same runs spooled again (an agent that crashed before it knew they were sent): stored once.
    await spool.spool([run('boot:1:10:7'), run('boot:3:30:7')]);
    expect(await spool.upload()).toBe('empty');
    expect(await storedKeys()).toEqual(['boot:1:10:7', 'boot:3:30:7']);
  });

  it('keeps the spool while no management point takes it, and fails over to the next one', async () => {
    warnings.length = 0;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    await uploader('b', [closedUrl, unavailableUrl]).spool([run('boot:4:40:7')]);
    expect(await uploader('b', [closedUrl, unavailableUrl]).upload()).toBe('retry');
    expect(await uploader('b', [closedUrl, unavailableUrl]).pending()).toHaveLength(1);
    expect(await storedKeys()).not.toContain('boot:4:40:7');

    expect(await uploader('b', [unavailableUrl, lean.url]).upload()).toBe('empty');
    expect(await storedKeys()).toContain('boot:4:40:7');
    expect(await uploader('b', [lean.url]).pending()).toEqual([]);
  });
});
