import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { createFilterRule } from '@/lib/status/create-filter-rule';
import { startStatusManager } from '@/lib/status/status-manager';
import { useTestDatabase } from '../support/database';
import { testMessage, testRuleInput } from '../lib/status/fixtures';
import { siteControlSettings } from '../support/status-manager-settings';

/** A pool that counts the inbox claims made through it and how many ran at once. */
function claimCountingPool(connectionString: string) {
  const db = new pg.Pool({ connectionString, max: 8 });
  const counts = { claims: 0, running: 0, mostAtOnce: 0 };
  const countClaim = async (run: () => Promise<unknown>) => {
    counts.claims++;
    counts.mostAtOnce = Math.max(counts.mostAtOnce, ++counts.running);
    try {
      // Long enough that loops working together overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return await run();
    } finally {
      counts.running--;
    }
  };
  const wrapped = new WeakSet<pg.PoolClient>();
  const connect = db.connect.bind(db) as (callback?: unknown) => Promise<pg.PoolClient> | undefined;
  db.connect = ((callback?: unknown) => {
    // pool.query() checks a client out with a callback: those are not transactions, left as they are.
    if (callback) return connect(callback);
    return connect()!.then(wrap);
  }) as typeof db.connect;
  const wrap = (client: pg.PoolClient) => {
    if (!wrapped.has(client)) {
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      // Not async: a COPY's query returns its stream, which must reach the caller as it is.
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) =>
        typeof args[0] === 'string' && args[0].includes('DELETE FROM status_inbox') ? countClaim(() => query(...args)) : query(...args);
    }
    return client;
  };
  return { db, counts };
}

/** A rule that stores everything, and Status Manager on `db` (the test database already in use). */
async function startManagerOn(db: pg.Pool, signal: AbortSignal, tuning: { loops: number; batchRows: number; pollMs: number }) {
  const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
  await createFilterRule({ actor, input: testRuleInput({ name: 'Write all', writeToDatabase: true, retentionDays: 30 }) });
  return startStatusManager({
    db,
    connectionString: config().databaseUrl,
    log: pino({ level: 'silent' }),
    signal,
    watchSettings: siteControlSettings(config().databaseUrl),
    ledgerDays: 7,
    ...tuning,
  });
}

describe('Status Manager drain loops', () => {
  const controller = new AbortController();
  let db: pg.Pool;
  let counts: ReturnType<typeof claimCountingPool>['counts'];
  let manager: Awaited<ReturnType<typeof startStatusManager>>;

  beforeAll(async () => {
    await useTestDatabase();
    ({ db, counts } = claimCountingPool(config().databaseUrl));
    manager = await startManagerOn(db, controller.signal, { loops: 3, batchRows: 1, pollMs: 50 });
  });

  afterAll(async () => {
    controller.abort();
    await manager?.stop();
    await db?.end();
  });

  it('polls an empty inbox from one loop only, so an idle site keeps one connection busy, not one per loop', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = counts.claims;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const polls = counts.claims - before;
    // One loop every 50 ms (plus its 20 ms claim) makes about 14 polls a second; three would make three times that.
    expect(polls).toBeGreaterThan(3);
    expect(polls).toBeLessThanOrEqual(20);
  });

  it('wakes the other loops when the polling one finds work, so a backlog drains in parallel', async () => {
    counts.mostAtOnce = 0;
    const messages = Array.from({ length: 60 }, (_, i) => testMessage({ messageId: 10002, insertionStrings: [`loop-${i}`] }));
    for (const message of messages) await appendToInbox({ db, messages: [message], origin: 'server' });
    await manager.flush();
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_message WHERE insertion_strings[1] LIKE 'loop-%'`);
    expect(rows[0].n).toBe(60);
    expect(counts.mostAtOnce).toBeGreaterThanOrEqual(2);
  });
});

describe('Status Manager woken by the inbox', () => {
  const controller = new AbortController();
  let manager: Awaited<ReturnType<typeof startStatusManager>>;
  let db: pg.Pool;
  const storedCount = async (tag: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_message WHERE $1 = ANY(insertion_strings)`, [tag])).rows[0].n;
  const storedWithin = async (tag: string, ms: number) => {
    for (const until = Date.now() + ms; Date.now() < until;) {
      if ((await storedCount(tag)) > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  };

  beforeAll(async () => {
    await useTestDatabase();
    db = new pg.Pool({ connectionString: config().databaseUrl, max: 4 });
    // A poll far longer than the test: only the inbox's NOTIFY can bring the messages in time.
    manager = await startManagerOn(db, controller.signal, { loops: 2, batchRows: 5, pollMs: 3_600_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  afterAll(async () => {
    controller.abort();
    await manager?.stop();
    await db?.end();
  });

  it('drains a batch appended through a pool at once, without waiting for its poll', async () => {
    await appendToInbox({ db, messages: [testMessage({ messageId: 10002, insertionStrings: ['by-pool'] })], origin: 'mp' });
    expect(await storedWithin('by-pool', 5_000)).toBe(true);
  });

  it('drains a batch appended inside a transaction once it commits, and not before', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await appendToInbox({ db: client, messages: [testMessage({ messageId: 10002, insertionStrings: ['in-transaction'] })], origin: 'server' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await storedCount('in-transaction')).toBe(0);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await storedWithin('in-transaction', 5_000)).toBe(true);
  });
});
