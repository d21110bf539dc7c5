// Group commit of inventory acceptance on a real database: concurrent reports share transactions,
// a device's second report is decided on what its first left, and a bad report fails alone.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { createAcceptanceBatcher } from '@/lib/inventory/acceptance-batcher';
import type { InventoryReport } from '@/lib/protocol/inventory.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';

const deviceIds: number[] = [];

const full = (deviceId: number, version = 1): InventoryReport =>
  ({
    kind: 'full',
    reportId: randomUUID(),
    deviceId,
    version,
    collectedAt: new Date().toISOString(),
    hardware: {},
    software: { source: 'dpkg', packages: [] },
  }) as unknown as InventoryReport;
const delta = (deviceId: number, baseVersion: number, version: number): InventoryReport =>
  ({
    kind: 'delta',
    reportId: randomUUID(),
    deviceId,
    version,
    baseVersion,
    collectedAt: new Date().toISOString(),
    software: { source: 'dpkg', added: [], removed: [] },
  }) as unknown as InventoryReport;

/** The pool, counting the transactions (connections taken) the batcher opens. */
function countingPool() {
  const db = pool();
  const counter = { connects: 0 };
  const counted = new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'connect') {
        return () => {
          counter.connects++;
          return target.connect();
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: counted as pg.Pool, counter };
}

const inboxVersions = async (deviceId: number) =>
  (await pool().query<{ version: number }>(`SELECT version FROM inventory_inbox WHERE device_id = $1 ORDER BY id`, [deviceId])).rows.map(
    (r) => r.version,
  );

describe('inventory acceptance in batches', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 60 });
    const { rows } = await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id LIMIT 60`);
    deviceIds.push(...rows.map((r) => r.id));
  });

  it('stores concurrent reports of many devices in far fewer transactions than reports', async () => {
    const { db, counter } = countingPool();
    const batcher = createAcceptanceBatcher({ db });
    const reports = deviceIds.slice(0, 50).map((id) => full(id));
    const decisions = await Promise.all(reports.map((r) => batcher.accept(r, Buffer.from('x'))));
    expect(decisions.every((d) => d?.store === true && d.answer.status === 'accepted')).toBe(true);
    const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int n FROM inventory_inbox WHERE report_id = ANY($1::uuid[])`, [
      reports.map((r) => r.reportId),
    ]);
    expect(rows[0].n).toBe(50);
    // The first report opens a transaction alone; the 49 that arrived meanwhile share the next.
    expect(counter.connects).toBeLessThanOrEqual(3);
  });

  it("decides a device's second report on what its first left, and answers a resend as a duplicate", async () => {
    const batcher = createAcceptanceBatcher({ db: pool() });
    const device = deviceIds[55];
    const first = full(device, 1);
    const [a, b, c, d] = await Promise.all([
      batcher.accept(first, Buffer.from('x')),
      batcher.accept(delta(device, 1, 2), Buffer.from('x')),
      batcher.accept(delta(device, 1, 3), Buffer.from('x')),
      batcher.accept(first, Buffer.from('x')),
    ]);
    expect(a?.answer).toEqual({ status: 'accepted', version: 1 });
    expect(b?.answer).toEqual({ status: 'accepted', version: 2 });
    // Built on version 1, but the site now holds 2.
    expect(c?.answer).toMatchObject({ status: 'resync', siteVersion: 2 });
    expect(d?.answer).toEqual({ status: 'duplicate', version: 1 });
    expect(await inboxVersions(device)).toEqual([1, 2]);
  });

  it('fails only the bad report of a batch, and answers null for a device that does not exist', async () => {
    const batcher = createAcceptanceBatcher({ db: pool() });
    const good = deviceIds.slice(50, 54).map((id) => full(id));
    // Not a uuid: the database refuses it, which fails the whole batch, which is then tried one by one.
    const bad = { ...full(deviceIds[54]), reportId: 'not-a-uuid' } as InventoryReport;
    const results = await Promise.allSettled([
      batcher.accept(full(2_000_000_000), Buffer.from('x')),
      ...good.map((r) => batcher.accept(r, Buffer.from('x'))),
      batcher.accept(bad, Buffer.from('x')),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: null });
    for (const result of results.slice(1, 5)) expect(result).toMatchObject({ status: 'fulfilled', value: { store: true } });
    expect(results[5].status).toBe('rejected');
    for (const report of good) expect(await inboxVersions(report.deviceId)).toEqual([1]);
    expect(await inboxVersions(deviceIds[54])).toEqual([]);
  });
});
