import type pg from 'pg';
import { inTransaction } from '../db/transaction';

/**
 * status_message is partitioned by range of expires_at, one partition per UTC day
 * (status_message_pYYYYMMDD holds [day, day + 1)), plus status_message_default for rows whose
 * day has no partition yet, so no message is ever refused for want of one.
 */
const PARENT = 'status_message';
const DEFAULT_PARTITION = 'status_message_default';
const DAY_MS = 86_400_000;
const PARTITION_NAME = /^status_message_p(\d{4})(\d{2})(\d{2})$/;

/** How long a partition change waits for the table's lock before giving up and trying again later. */
const LOCK_TIMEOUT = '2s';

/** The UTC midnight that starts the day holding `time`. */
export function dayStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

export function partitionName(day: Date): string {
  return `${PARENT}_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day partitions that exist, each with its first day, oldest first. */
export async function listDayPartitions(db: pg.Pool | pg.ClientBase): Promise<{ name: string; day: Date }[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [PARENT],
  );
  return rows.flatMap(({ name }) => {
    const match = PARTITION_NAME.exec(name);
    return match ? [{ name, day: new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) }] : [];
  });
}

/** Runs `work` in one transaction that waits at most LOCK_TIMEOUT for each lock. */
const inShortLockTransaction = <T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
  inTransaction(db, async (client) => {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    return work(client);
  });

/**
 * Creates the partition of one day, moving into it any rows the default partition holds for
 * that day (they landed there while it was missing), in one transaction. Returns the rows moved.
 */
async function createDayPartition(db: pg.Pool, day: Date): Promise<number> {
  const name = partitionName(day);
  const from = day.toISOString();
  const to = new Date(day.getTime() + DAY_MS).toISOString();
  return inShortLockTransaction(db, async (client) => {
    const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [name]);
    if (exists.rows[0].ok) return 0;
    // Held to the end: a message arriving for this day meanwhile waits, then finds the partition
    // (else it would land in the default partition between the move and the attach, which then fails).
    await client.query(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
    await client.query(`CREATE TABLE ${name} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const moved = await client.query(
      `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE expires_at >= $1 AND expires_at < $2 RETURNING *)
       INSERT INTO ${name} SELECT * FROM moved`,
      [from, to],
    );
    // Bounds are literals in DDL; both are ISO timestamps made above.
    await client.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
    return moved.rowCount ?? 0;
  });
}

/**
 * Makes sure a partition exists for each day from today to `daysAhead` days on, and for each
 * earlier-or-equal day that has rows waiting in the default partition (which then move into
 * it). Rows due beyond that range stay in the default partition, kept, until the range reaches
 * them. Returns the partitions created and the rows moved.
 */
export async function ensureStatusPartitions(options: { db: pg.Pool; now: Date; daysAhead: number }): Promise<{ created: string[]; moved: number }> {
  const today = dayStart(options.now);
  const horizon = new Date(today.getTime() + (options.daysAhead + 1) * DAY_MS);
  const existing = new Set((await listDayPartitions(options.db)).map((p) => p.name));
  const { rows } = await options.db.query<{ day: Date }>(
    `SELECT DISTINCT to_timestamp(floor(extract(epoch FROM expires_at) / 86400) * 86400) AS day
       FROM ${DEFAULT_PARTITION} WHERE expires_at < $1`,
    [horizon],
  );
  const days = new Map<string, Date>();
  for (const { day } of rows) days.set(partitionName(day), day);
  for (let t = today.getTime(); t < horizon.getTime(); t += DAY_MS) days.set(partitionName(new Date(t)), new Date(t));
  const created: string[] = [];
  let moved = 0;
  for (const [name, day] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
    // A day with a partition has no rows in the default one: routing put them in the partition.
    if (existing.has(name)) continue;
    moved += await createDayPartition(options.db, day);
    created.push(name);
  }
  return { created, moved };
}

/**
 * The rows a partition holds: the planner's figure once (auto)analyze has counted it (a day of a
 * million rows is not read again only to be counted, which would cost the purge most of its
 * time and take I/O from ingest), else an exact count.
 */
async function partitionRows(client: pg.ClientBase, name: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT reltuples::bigint::text AS n FROM pg_class WHERE oid = $1::regclass`, [name]);
  const estimate = Number(rows[0].n);
  if (estimate >= 0) return estimate;
  const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
  return Number(counted.rows[0].n);
}

/**
 * Drops every day partition whose whole day is past `now` (each of its messages is due),
 * one at a time. Returns the rows the dropped partitions held (see partitionRows).
 */
export async function dropDuePartitions(options: { db: pg.Pool; now: Date; signal?: AbortSignal }): Promise<number> {
  let dropped = 0;
  for (const partition of await listDayPartitions(options.db)) {
    if (options.signal?.aborted) break;
    if (partition.day.getTime() + DAY_MS > options.now.getTime()) break;
    dropped += await inShortLockTransaction(options.db, async (client) => {
      const rows = await partitionRows(client, partition.name);
      await client.query(`DROP TABLE ${partition.name}`);
      return rows;
    });
  }
  return dropped;
}
