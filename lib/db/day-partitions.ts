import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { inTransaction } from './transaction';
import { advisoryUnlock, tryAdvisoryLock } from './advisory-lock';

/**
 * A table partitioned by range of one timestamp column, one partition per UTC day
 * (<parent>_pYYYYMMDD holds [day, day + 1)), plus <parent>_default for rows whose day has no
 * partition yet, so no row is ever refused for want of one. status_message (by expires_at),
 * metering_usage (by started_at) and inventory_report (by loaded_at) are laid out so.
 */
export interface DayPartitionedTable {
  parent: string;
  column: string;
}

const DAY_MS = 86_400_000;

/** How long a partition change waits for the table's lock before giving up and trying again later. */
const LOCK_TIMEOUT = '2s';

/** The partition that holds the rows of days without a partition of their own. */
export const defaultPartition = (table: DayPartitionedTable) => `${table.parent}_default`;

/** The UTC midnight that starts the day holding `time`. */
export function dayStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

export function dayPartitionName(table: DayPartitionedTable, day: Date): string {
  return `${table.parent}_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day partitions of `table` that exist, each with its first day, oldest first. */
export async function listDayPartitions(db: pg.Pool | pg.ClientBase, table: DayPartitionedTable): Promise<{ name: string; day: Date }[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table.parent],
  );
  const pattern = new RegExp(`^${table.parent}_p(\\d{4})(\\d{2})(\\d{2})$`);
  return rows.flatMap(({ name }) => {
    const match = pattern.exec(name);
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
async function createDayPartition(db: pg.Pool, table: DayPartitionedTable, day: Date): Promise<number> {
  const name = dayPartitionName(table, day);
  const from = day.toISOString();
  const to = new Date(day.getTime() + DAY_MS).toISOString();
  return inShortLockTransaction(db, async (client) => {
    const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [name]);
    if (exists.rows[0].ok) return 0;
    // The parent first, in the lock the attach takes: ANALYZE and every query of the table lock the
    // parent before its partitions, and the default partition locked first made a cycle with them.
    await client.query(`LOCK TABLE ONLY ${table.parent} IN SHARE UPDATE EXCLUSIVE MODE`);
    // Held to the end: a row arriving for this day meanwhile waits, then finds the partition
    // (else it would land in the default partition between the move and the attach, which then fails).
    await client.query(`LOCK TABLE ${defaultPartition(table)} IN ACCESS EXCLUSIVE MODE`);
    await client.query(`CREATE TABLE ${name} (LIKE ${table.parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const moved = await client.query(
      `WITH moved AS (DELETE FROM ${defaultPartition(table)} WHERE ${table.column} >= $1 AND ${table.column} < $2 RETURNING *)
       INSERT INTO ${name} SELECT * FROM moved`,
      [from, to],
    );
    // Bounds are literals in DDL; both are ISO timestamps made above.
    await client.query(`ALTER TABLE ${table.parent} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
    return moved.rowCount ?? 0;
  });
}

/**
 * Makes sure a partition exists for each day from today to `daysAhead` days on, and for each
 * earlier-or-equal day that has rows waiting in the default partition (which then move into
 * it) — from `since` on, when given: rows of days before it stay in the default partition (a
 * table for a day the retention drops at once is not worth making, and the rows of a table whose
 * days a client names could otherwise name thousands of them). Rows beyond that range stay in
 * the default partition, kept, until the range reaches them. Returns the partitions created and
 * the rows moved.
 */
export async function ensureDayPartitions(
  table: DayPartitionedTable,
  options: { db: pg.Pool; now: Date; daysAhead: number; since?: Date },
): Promise<{ created: string[]; moved: number }> {
  const today = dayStart(options.now);
  const horizon = new Date(today.getTime() + (options.daysAhead + 1) * DAY_MS);
  const existing = new Set((await listDayPartitions(options.db, table)).map((p) => p.name));
  const { rows } = await options.db.query<{ day: Date }>(
    `SELECT DISTINCT to_timestamp(floor(extract(epoch FROM ${table.column}) / 86400) * 86400) AS day
       FROM ${defaultPartition(table)} WHERE ${table.column} < $1 AND ($2::timestamptz IS NULL OR ${table.column} >= $2)`,
    [horizon, options.since ?? null],
  );
  const days = new Map<string, Date>();
  for (const { day } of rows) days.set(dayPartitionName(table, day), day);
  for (let t = today.getTime(); t < horizon.getTime(); t += DAY_MS) days.set(dayPartitionName(table, new Date(t)), new Date(t));
  const created: string[] = [];
  let moved = 0;
  for (const [name, day] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
    // A day with a partition has no rows in the default one: routing put them in the partition.
    if (existing.has(name)) continue;
    moved += await createDayPartition(options.db, table, day);
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

/** How long detaching a partition waits for the parent's lock before letting writers go on, and how often it tries. */
const DETACH_LOCK_TIMEOUT = '100ms';
const DETACH_ATTEMPTS = 30;

/** Tables named as day partitions of `table` that are no longer attached (a purge detached them, then stopped). */
async function listDetachedDayTables(db: pg.Pool, table: DayPartitionedTable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname ~ $1
        AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)`,
    [`^${table.parent}_p\\d{8}$`],
  );
  return rows.map((r) => r.name);
}

/**
 * Detaches one partition, its rows counted first; null when `keep` says it stays. Writers to the
 * parent wait while the parent's lock is held, and while it is asked for: each attempt gives up
 * after DETACH_LOCK_TIMEOUT (the writers then go on) and the next follows a moment later.
 */
async function detachDayPartition(
  db: pg.Pool,
  table: DayPartitionedTable,
  name: string,
  keep?: (client: pg.ClientBase, partition: string) => Promise<boolean>,
): Promise<number | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inShortLockTransaction(db, async (client) => {
        if (keep) {
          // Taken first, so no row changes between the check and the detach.
          await client.query(`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE`);
          if (await keep(client, name)) return null;
        }
        const count = await partitionRows(client, name);
        await client.query(`SET LOCAL lock_timeout = '${DETACH_LOCK_TIMEOUT}'`);
        await client.query(`ALTER TABLE ${table.parent} DETACH PARTITION ${name}`);
        return count;
      });
    } catch (error) {
      // 55P03: lock_not_available.
      if ((error as { code?: string }).code !== '55P03' || attempt >= DETACH_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
    }
  }
}

/**
 * How fast the files of a detached partition are given back, at most. A day of a busy site's
 * status messages is about half a gigabyte of table and indexes; freed at once, it held up every
 * commit on the server for about a tenth of a second (the filesystem frees the extents, and on a
 * mount with online discard trims them, in the journal commit the writers' WAL flushes wait on).
 * At this pace the same day goes in about four and a half seconds (nothing waits after the table,
 * its last piece), in pieces that each hold commits up for a few milliseconds.
 */
export const RECLAIM_BYTES_PER_SECOND = 64 * 1024 * 1024;

/** Spaces drops so that, one after another, they free at most `bytesPerSecond`. */
function reclaimPacer(bytesPerSecond: number, signal?: AbortSignal) {
  let readyAt = 0;
  return {
    signal,
    /** Waits until the bytes freed last have had their time. */
    async next(): Promise<void> {
      const wait = readyAt - performance.now();
      // Stopped meanwhile, it returns at once (the caller looks at the signal).
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    },
    freed(bytes: number): void {
      readyAt = performance.now() + (bytes / bytesPerSecond) * 1000;
    },
  };
}

/**
 * Drops a table no longer attached to its parent a piece at a time, smallest index first and the
 * table (its heap and TOAST) last, each piece after the one before has had its time at the
 * pacer's rate. Stopped by the pacer's signal, it leaves what remains for the next run to drop.
 */
async function dropDetachedTable(db: pg.Pool, name: string, pacer: ReturnType<typeof reclaimPacer>): Promise<void> {
  const { rows: indexes } = await db.query<{ index: string; constraint: string | null; bytes: string }>(
    `SELECT i.relname AS index, con.conname AS constraint, pg_relation_size(i.oid)::text AS bytes
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
      WHERE x.indrelid = to_regclass($1) ORDER BY pg_relation_size(i.oid), i.relname`,
    [name],
  );
  for (const { index, constraint, bytes } of indexes) {
    await pacer.next();
    if (pacer.signal?.aborted) return;
    // An index that backs a key goes with its constraint.
    await db.query(constraint ? `ALTER TABLE ${name} DROP CONSTRAINT IF EXISTS "${constraint}"` : `DROP INDEX IF EXISTS "${index}"`);
    pacer.freed(Number(bytes));
  }
  await pacer.next();
  if (pacer.signal?.aborted) return;
  const { rows } = await db.query<{ bytes: string | null }>(`SELECT pg_table_size(to_regclass($1))::text AS bytes`, [name]);
  await db.query(`DROP TABLE IF EXISTS ${name}`);
  pacer.freed(Number(rows[0].bytes ?? 0));
}

/**
 * Drops, one at a time and oldest first, every day partition whose whole day is before `before`,
 * unless `keep` says a partition must stay (asked inside the detaching transaction, after its lock
 * is held). A partition is detached first — a change of the catalog, quick, under the parent's
 * lock, after which its rows are gone from the table — and its files are dropped after, a piece
 * at a time (see dropDetachedTable); a table left detached by a purge that stopped before its
 * files were gone is dropped by the next. Returns the rows the dropped partitions held (see
 * partitionRows) and the partitions kept.
 */
export async function dropDayPartitionsBefore(
  table: DayPartitionedTable,
  options: {
    db: pg.Pool;
    before: Date;
    signal?: AbortSignal;
    keep?: (client: pg.ClientBase, partition: string) => Promise<boolean>;
    /** Called as each partition leaves the table (its rows are gone from it then), before its files are dropped. */
    onDetached?: (partition: string, rows: number) => void;
    reclaimBytesPerSecond?: number;
  },
): Promise<{ rows: number; dropped: string[]; kept: string[] }> {
  const result = { rows: 0, dropped: [] as string[], kept: [] as string[] };
  const reclaim = reclaimPacer(options.reclaimBytesPerSecond ?? RECLAIM_BYTES_PER_SECOND, options.signal);
  for (const leftover of await listDetachedDayTables(options.db, table)) await dropDetachedTable(options.db, leftover, reclaim);
  for (const partition of await listDayPartitions(options.db, table)) {
    if (options.signal?.aborted) break;
    if (partition.day.getTime() + DAY_MS > options.before.getTime()) break;
    const rows = await detachDayPartition(options.db, table, partition.name, options.keep);
    if (rows === null) {
      result.kept.push(partition.name);
      continue;
    }
    options.onDetached?.(partition.name, rows);
    result.rows += rows;
    result.dropped.push(partition.name);
    await dropDetachedTable(options.db, partition.name, reclaim);
  }
  return result;
}

/** What one retention run of a day-partitioned table did; `ran` is false when another process was at it. */
export interface DayRetentionResult {
  ran: boolean;
  partitionsCreated: string[];
  /** Day partitions dropped, and the rows they held. */
  dropped: string[];
  rows: number;
  /** Due partitions `keep` held back. */
  kept: string[];
}

/**
 * One retention run of a day-partitioned table: under session advisory lock `lockKey` (one
 * process at a time; a run that finds it taken does nothing), makes the partitions from today to
 * `daysAhead` days on, then drops each whose whole day started more than `retentionDays` ago
 * (see dropDayPartitionsBefore for `keep`). Safe to run again at any time.
 */
export async function ageOutDayPartitions(
  table: DayPartitionedTable,
  options: {
    db: pg.Pool;
    lockKey: bigint;
    retentionDays: number;
    daysAhead: number;
    now?: Date;
    signal?: AbortSignal;
    keep?: (client: pg.ClientBase, partition: string) => Promise<boolean>;
    /** Leave the rows of days past the retention in the default partition (see ensureDayPartitions' `since`). */
    noPartitionPastRetention?: boolean;
  },
): Promise<DayRetentionResult> {
  const now = options.now ?? new Date();
  const before = new Date(dayStart(now).getTime() - options.retentionDays * DAY_MS);
  const lockClient = await options.db.connect();
  try {
    if (!(await tryAdvisoryLock(lockClient, options.lockKey))) return { ran: false, partitionsCreated: [], dropped: [], rows: 0, kept: [] };
    try {
      const since = options.noPartitionPastRetention ? before : undefined;
      const { created } = await ensureDayPartitions(table, { db: options.db, now, daysAhead: options.daysAhead, since });
      const { rows, dropped, kept } = await dropDayPartitionsBefore(table, {
        db: options.db,
        before,
        signal: options.signal,
        keep: options.keep,
      });
      return { ran: true, partitionsCreated: created, dropped, rows, kept };
    } finally {
      await advisoryUnlock(lockClient, options.lockKey);
    }
  } finally {
    lockClient.release();
  }
}
