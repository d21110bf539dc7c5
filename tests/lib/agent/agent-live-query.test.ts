// Live Query on real agent processes: each answers from this machine, rows are stored uncapped and
// once, summaries merge across devices, and a query that does not parse is refused at the start.
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { AppError } from '@/lib/errors';
import { cancelClientOperation } from '@/lib/notification/cancel-client-operation';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { liveQueryOverview, liveQueryRowPage } from '@/lib/notification/live-query-results';
import * as repo from '@/lib/notification/repo';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { admin, eventually } from '../notification/fleet';
import { ensureSite, startConfiguredAgent, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let dir = '';
const agents: AgentProcess[] = [];
const deviceIds: number[] = [];

const ask = (query: string, targets = deviceIds) =>
  startClientOperation({
    actor: admin,
    input: { action: 'LIVE_QUERY', target: { deviceIds: targets }, liveQuery: { query } },
    settings: { operationValidityMinutes: 60 },
  });

async function answered(operationId: number, count = deviceIds.length) {
  const page = await eventually(
    () => listOperationTargets(operationId, { page: 1, pageSize: 25 }),
    (p) => p.rows.filter((r) => r.state === 'SUCCEEDED' || r.state === 'FAILED').length >= count,
    30_000,
  );
  return page.rows;
}

async function allRows(operationId: number) {
  const rows: { deviceName: string; row: Record<string, unknown> }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await liveQueryRowPage(operationId, { after, limit: 7 });
    rows.push(...page.rows);
    if (!page.next) return rows;
    after = page.next;
  }
}

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-live-query-'));
  for (const name of ['live-a', 'live-b']) deviceIds.push((await startConfiguredAgent({ dir, managementPointUrl: mp.url, name, agents })).deviceId);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Live Query on real agents', () => {
  it('refuses a query that does not parse at the start, naming the field and the position', async () => {
    const refused = await ask('processes | where cpu >').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('BAD_REQUEST');
    expect((refused as AppError).details).toMatchObject({ fields: [{ path: 'liveQuery.query' }], position: { line: 1 } });
    const unknown = await ask('os | project colour').catch((e: unknown) => e);
    expect((unknown as AppError).details).toMatchObject({
      fields: [{ path: 'liveQuery.query', message: expect.stringMatching(/Unknown column "colour"/) }],
    });
  });

  it('answers os from this machine on every device, and keeps the rows after the management point restarts', async () => {
    const operation = await ask('os | project hostname, kernel, arch');
    const targets = await answered(operation.id);
    expect(targets.map((t) => t.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await mp.stop();
    await mp.start();
    const rows = await allRows(operation.id);
    expect(rows.map((r) => r.deviceName).sort()).toEqual(['live-a', 'live-b']);
    for (const r of rows) expect(r.row).toEqual({ hostname: os.hostname(), kernel: os.release(), arch: os.arch() });
    const overview = await liveQueryOverview(operation.id);
    expect(overview).toMatchObject({ columns: ['hostname', 'kernel', 'arch'], rowsStored: 2, summary: null, devicesTruncated: 0 });
  }, 60_000);

  it('answers processes, file and packages, and merges summaries across devices exactly', async () => {
    const processes = await ask(`processes | where name = "node" | project pid, name`);
    const files = await ask(`file("/etc/hostname")`);
    const packages = await ask('packages | summarize count() by arch | order by count desc');
    for (const op of [processes, files, packages]) expect((await answered(op.id)).map((t) => t.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const nodes = await allRows(processes.id);
    // Each agent is a node process on this machine: it sees itself and the other.
    for (const name of ['live-a', 'live-b']) expect(nodes.filter((r) => r.deviceName === name).length).toBeGreaterThanOrEqual(2);

    const hostname = await readFile('/etc/hostname');
    const fileRows = await allRows(files.id);
    for (const r of fileRows) expect(r.row).toMatchObject({ path: '/etc/hostname', exists: true, size: hostname.length });

    const perDevice = await allRows(packages.id);
    const overview = await liveQueryOverview(packages.id);
    expect(overview.columns).toEqual(['arch', 'count']);
    expect(overview.rowsStored).toBe(perDevice.length);
    const expected = new Map<unknown, number>();
    for (const r of perDevice) expected.set(r.row.arch, (expected.get(r.row.arch) ?? 0) + Number(r.row.count));
    expect(new Map(overview.summary!.map((s) => [s.arch, s.count]))).toEqual(expected);
    expect(overview.summary!.map((s) => s.count)).toEqual([...expected.values()].sort((a, b) => b - a));
    expect(overview.summary![0].count).toBeGreaterThan(0);
  }, 60_000);

  it('stores a result sent again once: its rows are not added twice', async () => {
    const operation = await ask('os');
    await answered(operation.id);
    const before = (await liveQueryOverview(operation.id)).rowsStored;
    const changed = await repo.recordResults(pool(), [
      {
        operationId: operation.id,
        deviceId: deviceIds[0],
        outcome: 'SUCCEEDED',
        detail: { message: 'again', durationMs: 1, liveQuery: { rows: [{ hostname: 'x' }], rowCount: 1, truncated: false } },
        completedAt: new Date(),
        receivedAt: new Date(),
      },
    ]);
    expect(changed).toEqual([]);
    expect((await liveQueryOverview(operation.id)).rowsStored).toBe(before);
  }, 60_000);

  it('fails on the device, with the reason, when a pushed query does not parse there', async () => {
    // The console refuses such a query; one pushed anyway (an older console, a forged row) fails on the agent.
    const operation = await inTransaction(pool(), async (client) => {
      const created = await repo.insertOperation(client, {
        action: 'LIVE_QUERY',
        target: { deviceIds },
        targetName: 'two devices',
        startedBy: 'admin',
        startedAt: new Date(),
        validUntil: new Date(Date.now() + 3_600_000),
        liveQuery: { text: 'processes | where' },
      });
      await repo.enqueuePush(client, created.id, 'START');
      return created;
    });
    await repo.notifyProgress(pool(), { changed: [operation.id] });
    const targets = await answered(operation.id);
    for (const t of targets) {
      expect(t.state).toBe('FAILED');
      expect(t.result?.message).toMatch(/^Live query failed: the query does not parse at line 1, column \d+/);
    }
    expect((await liveQueryOverview(operation.id)).rowsStored).toBe(0);
  }, 60_000);
  it('stops reading a file that takes long to hash when the operation is cancelled, and counts it cancelled', async () => {
    // 200 GB of holes: hours of hashing.
    const huge = path.join(dir, 'huge.bin');
    await writeFile(huge, '');
    await truncate(huge, 200 * 1024 ** 3);
    const operation = await ask(`file("${huge}")`);
    await eventually(
      () => listOperationTargets(operation.id, { page: 1, pageSize: 25 }),
      (p) => p.rows.every((r) => r.state === 'DELIVERED'),
      30_000,
    );
    await cancelClientOperation({ actor: admin, id: operation.id });
    const page = await eventually(
      () => listOperationTargets(operation.id, { page: 1, pageSize: 25 }),
      (p) => p.rows.every((r) => r.state === 'CANCELLED' && r.result !== null),
      15_000,
    );
    expect(page.rows.map((r) => r.result?.message)).toEqual(['Cancelled before it finished.', 'Cancelled before it finished.']);
  }, 60_000);
});
