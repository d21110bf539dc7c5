// A start commits the operation (its target ids fixed) and its push in one small transaction; the
// per-target rows are written later by the first that needs them. These tests check pushes,
// results, counts, cancel and expiry before and after that, and that the rows are written once.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import type { AgentCredential } from '@/lib/agent/policy.schema';
import { manualClock, systemClock, type Clock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { cancelClientOperation } from '@/lib/notification/cancel-client-operation';
import { expireClientOperations } from '@/lib/notification/expire-client-operations';
import { getClientOperationOrThrow, listOperationTargets } from '@/lib/notification/list-client-operations';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import * as repo from '@/lib/notification/repo';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, onlineCount, targetStates } from './fleet';
import { TestManagementPoint } from './management-point';

let connectionString = '';
const agents: ClientAgent[] = [];
const points: TestManagementPoint[] = [];

beforeAll(async () => {
  ({ url: connectionString } = await useTestDatabase());
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await Promise.all(points.splice(0).map((p) => p.stop()));
});

async function managementPoint(clock?: Clock) {
  const mp = new TestManagementPoint({ connectionString, clock });
  await mp.start();
  points.push(mp);
  return mp;
}

function agent(mp: TestManagementPoint, credential: AgentCredential) {
  const a = new ClientAgent({ managementPointUrls: [mp.url], credential, pollPolicy: false, scan: { quickScanMs: 20, fullScanMs: 40 }, initialBackoffMs: 100 });
  agents.push(a);
  return a;
}

const start = (deviceIds: number[], clock: Clock = systemClock) =>
  startClientOperation({ actor: admin, input: { action: 'QUICK_SCAN', target: { deviceIds } }, clock });

const targetRowCount = async (operationId: number) => Object.values(await targetStates(operationId)).reduce((a, b) => a + b, 0);

describe('client operation target rows, written after the start', () => {
  it('are not needed to push; the first answers write them, each result is stored once, and the totals stay right', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('PEND-', 3);
    const [first, second] = credentials.map((c) => agent(mp, c));
    const pushes: number[] = [];
    for (const a of [first, second]) a.on('push', () => pushes.push(a.credential.deviceId));
    await Promise.all([first.start(), second.start()]);
    await eventually(() => onlineCount(deviceIds), (n) => n === 2);

    const operation = await start(deviceIds);
    expect(operation).toMatchObject({ total: 3, onlineAtStart: 2, targetsPending: true });
    expect(await targetRowCount(operation.id)).toBe(0);
    // Before any row exists the console counts every target as waiting, not as done.
    expect((await getClientOperationOrThrow(operation.id)).counts).toMatchObject({ delivered: 0, waiting: 3, status: 'RUNNING' });

    // The notification server writes the rows before it records the first answers.
    await eventually(() => targetStates(operation.id), (s) => s.SUCCEEDED === 2 && s.WAITING === 1);
    expect(await targetRowCount(operation.id)).toBe(3);
    expect(pushes.sort()).toEqual(deviceIds.slice(0, 2).sort());

    // Notification Manager finds nothing left to write.
    expect((await expireClientOperations()).materialized).toEqual([]);
    expect(await targetRowCount(operation.id)).toBe(3);
    const row = await getClientOperationOrThrow(operation.id);
    expect(row).toMatchObject({ total: 3, onlineAtStart: 2 });
    expect(row.counts).toMatchObject({ delivered: 2, succeeded: 2, waiting: 1, status: 'RUNNING' });
  });

  it('are not needed to push to a client that connects before they are written', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('PENDC-', 1);
    const operation = await start(deviceIds);
    const late = agent(mp, credentials[0]);
    await late.start();
    await eventually(() => targetStates(operation.id), (s) => s.SUCCEEDED === 1);
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 1 });
  });

  it('are written once when two write them at once', async () => {
    const { deviceIds } = await fleet('REPAIR-', 4);
    const operation = await start(deviceIds);
    expect(await targetRowCount(operation.id)).toBe(0);
    // Two writers at once (two management points answering, say): one writes, the other finds it done.
    const both = await Promise.all([0, 1].map(() => materializeOperationTargets({ db: pool(), operationIds: [operation.id] })));
    expect(both.flat()).toEqual([operation.id]);
    expect(await targetStates(operation.id)).toEqual({ WAITING: 4 });
  });

  it('are written by Notification Manager on its cycle', async () => {
    const { deviceIds } = await fleet('CYCLE-', 2);
    const operation = await start(deviceIds);
    const repaired = await expireClientOperations();
    expect(repaired.materialized).toContain(operation.id);
    expect(await targetStates(operation.id)).toEqual({ WAITING: 2 });
    expect((await expireClientOperations()).materialized).not.toContain(operation.id);
    expect(await targetRowCount(operation.id)).toBe(2);
    expect(await repo.pendingOperationIds(pool(), [operation.id])).toEqual([]);
  });

  it('are written by the per-device drill-down when it is opened first', async () => {
    const { deviceIds } = await fleet('DRILL-', 2);
    const operation = await start(deviceIds);
    const targets = await listOperationTargets(operation.id, { page: 1, pageSize: 25 });
    expect(targets.total).toBe(2);
    expect(targets.rows.map((t) => t.state)).toEqual(['WAITING', 'WAITING']);
  });

  it('are written cancelled after a cancel that came first', async () => {
    const { deviceIds } = await fleet('PCAN-', 2);
    const operation = await start(deviceIds);
    await cancelClientOperation({ actor: admin, id: operation.id });
    expect((await getClientOperationOrThrow(operation.id)).counts).toMatchObject({ waiting: 0, cancelled: 2, status: 'CANCELLED' });
    await expireClientOperations();
    expect(await targetStates(operation.id)).toEqual({ CANCELLED: 2 });
  });

  it('are written, then expired, in one pass for an operation past its validity', async () => {
    const clock = manualClock(new Date());
    const { deviceIds } = await fleet('PEXP-', 2);
    const operation = await start(deviceIds, clock);
    clock.advance(61 * 60_000);
    const pass = await expireClientOperations({ clock });
    expect(pass.materialized).toContain(operation.id);
    expect(pass.expired.find((e) => e.id === operation.id)).toEqual({ id: operation.id, expired: 2, total: 2 });
    expect(await targetStates(operation.id)).toEqual({ EXPIRED: 2 });
  });
});
