import type pg from 'pg';
import { ensureOperationPartitions } from './operation-partitions-repo';
import type { ActionResultDetail, ClientAction, LiveQueryRun, ScriptRun } from '../protocol/agent-protocol.schema';
import type { OperationNotice, ScriptOutputGroup, TargetState } from './client-operation.schema';
import { emptyStateCounts, type TargetStateCounts } from './operation-counts';
import { channels } from '../db/channels';
import { AppError } from '../errors';

/** Data access for client operations and the push queue (pg: these are the hot paths). */

type Db = pg.Pool | pg.ClientBase;

export interface OperationRecord {
  id: number;
  action: ClientAction;
  collectionId: number | null;
  targetName: string;
  startedBy: string;
  startedAt: Date;
  validUntil: Date;
  cancelledAt: Date | null;
  cancelledBy: string | null;
  expiredAt: Date | null;
  total: number;
  onlineAtStart: number;
  /** Its targets are fixed but not yet written as client_operation_target rows (all waiting). */
  targetsPending: boolean;
  /** Run Script: the name of the script run (as approved then); null for other actions. */
  scriptName: string | null;
  /** Live Query: the query's text; null for other actions. */
  liveQuery: string | null;
}

const operationColumns = `o.id, o.action, o.collection_id, o.target_name, o.started_by, o.started_at, o.valid_until,
  o.cancelled_at, o.cancelled_by, o.expired_at, o.total, o.online_at_start, o.pending_target_ids IS NOT NULL AS targets_pending,
  o.script->>'name' AS script_name, o.live_query->>'text' AS live_query`;

/** A client_operation row as operationColumns reads it. */
interface OperationRow {
  id: number;
  action: ClientAction;
  collection_id: number | null;
  target_name: string;
  started_by: string;
  started_at: Date;
  valid_until: Date;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  expired_at: Date | null;
  total: number;
  online_at_start: number;
  targets_pending: boolean;
  script_name: string | null;
  live_query: string | null;
}

function toOperation(r: OperationRow): OperationRecord {
  return {
    id: r.id,
    action: r.action,
    collectionId: r.collection_id,
    targetName: r.target_name,
    startedBy: r.started_by,
    startedAt: r.started_at,
    validUntil: r.valid_until,
    cancelledAt: r.cancelled_at,
    cancelledBy: r.cancelled_by,
    expiredAt: r.expired_at,
    total: r.total,
    onlineAtStart: r.online_at_start,
    targetsPending: r.targets_pending,
    scriptName: r.script_name,
    liveQuery: r.live_query,
  };
}

// ---------------------------------------------------------------- targets and estimates

export async function findCollection(db: Db, id: number): Promise<{ id: number; name: string } | null> {
  const { rows } = await db.query<{ id: number; name: string }>(`SELECT id, name FROM collection WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Devices by name in any letter case: computer names ignore case, as registration does. */
export async function findDevicesByName(db: Db, names: string[]): Promise<{ id: number; name: string }[]> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `SELECT id, name FROM device
      WHERE lower(name) IN (SELECT lower(n) FROM unnest($1::text[]) n) AND approval <> 'REVOKED' ORDER BY id`,
    [names],
  );
  return rows;
}

export async function findDevicesById(db: Db, ids: number[]): Promise<{ id: number; name: string }[]> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `SELECT id, name FROM device WHERE id = ANY($1::int[]) AND approval <> 'REVOKED' ORDER BY id`,
    [ids],
  );
  return rows;
}

/** Clients an operation on the collection or devices would target, and how many are online. */
export async function countTargets(db: Db, target: { collectionId: number } | { deviceIds: number[] }): Promise<{ total: number; online: number }> {
  const { rows } =
    'collectionId' in target
      ? await db.query<{ total: number; online: number }>(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE d.online)::int AS online
           FROM collection_member m JOIN device d ON d.id = m.device_id
          WHERE m.collection_id = $1 AND d.approval <> 'REVOKED'`,
          [target.collectionId],
        )
      : await db.query<{ total: number; online: number }>(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE d.online)::int AS online
           FROM device d WHERE d.id = ANY($1::int[]) AND d.approval <> 'REVOKED'`,
          [target.deviceIds],
        );
  return rows[0];
}

// ---------------------------------------------------------------- notification manager

/**
 * Creates the operation with its targets fixed as of now (inside the caller's transaction): one
 * row, the target device ids kept on it, total and online counted. The per-target rows are
 * written afterwards by materializeTargets, so the push does not wait for thousands of inserts.
 */
export async function insertOperation(
  db: pg.PoolClient,
  options: {
    action: ClientAction;
    target: { collectionId: number } | { deviceIds: number[] };
    targetName: string;
    startedBy: string;
    startedAt: Date;
    validUntil: Date;
    script?: ScriptRun;
    liveQuery?: LiveQueryRun;
  },
): Promise<OperationRecord> {
  if ('collectionId' in options.target) {
    // Held until the operation is stored: a delete of the collection at the same moment waits for
    // it, or goes first and the collection is not found here (not a foreign key error, a 500).
    const { rowCount } = await db.query(`SELECT 1 FROM collection WHERE id = $1 FOR KEY SHARE`, [options.target.collectionId]);
    if (!rowCount) {
      throw new AppError('NOT_FOUND', {
        userMessage: 'The collection was not found.',
        details: { fields: [{ path: 'target.collectionId', message: 'no such collection' }] },
      });
    }
  }
  const source =
    'collectionId' in options.target
      ? { sql: `SELECT m.device_id FROM collection_member m WHERE m.collection_id = $7`, param: options.target.collectionId }
      : { sql: `SELECT unnest($7::int[])`, param: options.target.deviceIds };
  // Revoked clients can never connect again: they are not targets. Online is as of now.
  const { rows } = await db.query<OperationRow>(
    `WITH targets AS (SELECT d.id, d.online FROM device d WHERE d.id IN (${source.sql}) AND d.approval <> 'REVOKED')
     INSERT INTO client_operation AS o (action, collection_id, target_name, started_by, started_at, valid_until,
                                        total, online_at_start, pending_target_ids, updated_at, script, live_query)
     SELECT $1, $2, $3, $4, $5, $6, count(*), count(*) FILTER (WHERE online), coalesce(array_agg(id ORDER BY id), '{}'), $5, $8::jsonb, $9::jsonb
       FROM targets
     RETURNING ${operationColumns}`,
    [
      options.action,
      'collectionId' in options.target ? options.target.collectionId : null,
      options.targetName,
      options.startedBy,
      options.startedAt,
      options.validUntil,
      source.param,
      options.script ? JSON.stringify(options.script) : null,
      options.liveQuery ? JSON.stringify(options.liveQuery) : null,
    ],
  );
  await ensureOperationPartitions(db, rows[0].id);
  return toOperation(rows[0]);
}

/** Operations (of `ids`, or all) whose target rows are not written yet. */
export async function pendingOperationIds(db: Db, ids?: number[]): Promise<number[]> {
  const { rows } = ids
    ? await db.query<{ id: number }>(`SELECT id FROM client_operation WHERE id = ANY($1::int[]) AND pending_target_ids IS NOT NULL ORDER BY id`, [
        ids,
      ])
    : await db.query<{ id: number }>(`SELECT id FROM client_operation WHERE pending_target_ids IS NOT NULL ORDER BY id`);
  return rows.map((r) => r.id);
}

/**
 * Writes an operation's target rows from the ids fixed at its start, once (inside the caller's
 * transaction; the operation row stays locked until it commits, so a cancel or expiry waits for
 * it and then sees the rows). A target takes the operation's state: waiting, or cancelled or
 * expired if that came first. Devices deleted since the start are left out, as their rows would
 * have been deleted with them. Returns the rows written, or null when they were written before.
 */
export async function materializeTargets(db: pg.PoolClient, operationId: number): Promise<number | null> {
  const { rows } = await db.query<{ pending: boolean }>(
    `SELECT pending_target_ids IS NOT NULL AS pending FROM client_operation WHERE id = $1 FOR UPDATE`,
    [operationId],
  );
  if (!rows[0]?.pending) return null;
  const inserted = await db.query(
    `INSERT INTO client_operation_target (operation_id, device_id, state)
     SELECT o.id, p.device_id,
            (CASE WHEN o.cancelled_at IS NOT NULL THEN 'CANCELLED' WHEN o.expired_at IS NOT NULL THEN 'EXPIRED' ELSE 'WAITING' END)::operation_target_state
       FROM client_operation o CROSS JOIN LATERAL unnest(o.pending_target_ids) AS p(device_id)
      WHERE o.id = $1 AND EXISTS (SELECT 1 FROM device d WHERE d.id = p.device_id)
     ON CONFLICT DO NOTHING`,
    [operationId],
  );
  await db.query(`UPDATE client_operation SET pending_target_ids = NULL WHERE id = $1`, [operationId]);
  return inserted.rowCount ?? 0;
}

/** Appends a push request and announces it; commits with the caller's transaction. */
export async function enqueuePush(db: pg.ClientBase, operationId: number, kind: 'START' | 'CANCEL'): Promise<void> {
  // Notification servers read the queue after the last id they handled. A push whose id was taken
  // before another's but committed after it would be read past and never sent, so ids are taken one
  // transaction at a time (held until the caller commits): they become visible in their order.
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('notification_push'))`);
  const { rows } = await db.query<{ id: string }>(`INSERT INTO notification_push (operation_id, kind) VALUES ($1, $2) RETURNING id`, [
    operationId,
    kind,
  ]);
  await db.query(`SELECT pg_notify($1, $2)`, [channels.notificationPush, String(rows[0].id)]);
}

export async function findOperation(db: Db, id: number, options: { forUpdate?: boolean } = {}): Promise<OperationRecord | null> {
  const { rows } = await db.query<OperationRow>(
    `SELECT ${operationColumns} FROM client_operation o WHERE o.id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toOperation(rows[0]) : null;
}

/** Whether any of an operation's written target rows still waits for its client or its result. */
export async function hasUnansweredTargets(db: Db, operationId: number): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM client_operation_target WHERE operation_id = $1 AND state IN ('WAITING', 'DELIVERED')) AS any`,
    [operationId],
  );
  return rows[0].any;
}

/** Marks the operation cancelled and its unreached targets with it. */
export async function cancelOperation(db: pg.PoolClient, options: { id: number; by: string; at: Date }): Promise<void> {
  await db.query(`UPDATE client_operation SET cancelled_at = $2, cancelled_by = $3, updated_at = $2 WHERE id = $1`, [
    options.id,
    options.at,
    options.by,
  ]);
  await db.query(`UPDATE client_operation_target SET state = 'CANCELLED' WHERE operation_id = $1 AND state = 'WAITING'`, [options.id]);
}

export async function listOperations(db: Db, options: { limit: number; offset: number }): Promise<{ rows: OperationRecord[]; total: number }> {
  const [page, count] = await Promise.all([
    db.query<OperationRow>(`SELECT ${operationColumns} FROM client_operation o ORDER BY o.started_at DESC, o.id DESC LIMIT $1 OFFSET $2`, [
      options.limit,
      options.offset,
    ]),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM client_operation`),
  ]);
  return { rows: page.rows.map(toOperation), total: count.rows[0].total };
}

/** Targets per stored state for each operation. */
/**
 * Targets by state, and `asOf`: when the counting statement began (microseconds since the epoch),
 * so a reader holding two countings of one operation keeps the later one.
 */
export async function stateCounts(db: Db, operationIds: number[]): Promise<{ counts: Map<number, TargetStateCounts>; asOf: number }> {
  const counts = new Map<number, TargetStateCounts>(operationIds.map((id) => [id, emptyStateCounts()]));
  const { rows } = await db.query<{ as_of: string; operation_id: number | null; state: TargetState | null; n: number | null }>(
    `SELECT (extract(epoch FROM statement_timestamp()) * 1e6)::bigint::text AS as_of, c.operation_id, c.state, c.n
       FROM (SELECT 1) one
       LEFT JOIN (SELECT operation_id, state, count(*)::int AS n FROM client_operation_target
                   WHERE operation_id = ANY($1::int[]) GROUP BY operation_id, state) c ON true`,
    [operationIds],
  );
  for (const r of rows) if (r.operation_id !== null) counts.get(r.operation_id)![r.state!] = r.n!;
  return { counts, asOf: Number(rows[0].as_of) };
}

export async function listTargets(
  db: Db,
  options: { operationId: number; state?: TargetState; lapsed: boolean; limit: number; offset: number },
): Promise<{
  rows: {
    deviceId: number;
    deviceName: string;
    state: TargetState;
    online: boolean;
    deliveredAt: Date | null;
    completedAt: Date | null;
    result: ActionResultDetail | null;
  }[];
  total: number;
}> {
  // Past the validity, WAITING reads as EXPIRED: the filter follows what the console shows.
  let states: TargetState[] | null = options.state ? [options.state] : null;
  if (options.state === 'EXPIRED' && options.lapsed) states = ['EXPIRED', 'WAITING'];
  if (options.state === 'WAITING' && options.lapsed) states = [];
  const params: unknown[] = [options.operationId];
  let where = 't.operation_id = $1';
  if (states) {
    params.push(states);
    where += ` AND t.state = ANY($${params.length}::operation_target_state[])`;
  }
  const [page, count] = await Promise.all([
    db.query<{
      device_id: number;
      name: string;
      state: TargetState;
      online: boolean;
      delivered_at: Date | null;
      completed_at: Date | null;
      result: ActionResultDetail | null;
    }>(
      `SELECT t.device_id, d.name, t.state, d.online, t.delivered_at, t.completed_at, t.result
         FROM client_operation_target t JOIN device d ON d.id = t.device_id
        WHERE ${where} ORDER BY d.name, t.device_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, options.limit, options.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM client_operation_target t WHERE ${where}`, params),
  ]);
  return {
    rows: page.rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.name,
      state: r.state,
      online: r.online,
      deliveredAt: r.delivered_at,
      completedAt: r.completed_at,
      result: r.result,
    })),
    total: count.rows[0].total,
  };
}

/**
 * Records, for operations past their validity, that their unreached targets expired. Returns
 * each operation it closed with the number expired, once (expired_at is set in the same step).
 */
export async function expireOperations(db: Db, now: Date): Promise<{ id: number; expired: number; total: number }[]> {
  const { rows } = await db.query<{ id: number; expired: number; total: number }>(
    `WITH due AS (
       UPDATE client_operation SET expired_at = $1, updated_at = $1
        WHERE valid_until <= $1 AND expired_at IS NULL AND cancelled_at IS NULL AND pending_target_ids IS NULL
       RETURNING id, total),
     expired AS (
       UPDATE client_operation_target t SET state = 'EXPIRED'
         FROM due WHERE t.operation_id = due.id AND t.state = 'WAITING'
       RETURNING t.operation_id)
     SELECT due.id, due.total, (SELECT count(*)::int FROM expired e WHERE e.operation_id = due.id) AS expired FROM due`,
    [now],
  );
  return rows;
}

/**
 * Records as Failed, with `detail` as their result, the targets delivered at or before `deliveredBy`
 * that never answered: an action's result may say it ran at most MAX_ACTION_DURATION_MS, so such a
 * client has gone (or lost what it was doing) and would otherwise count as in progress for good.
 * The result is marked `writtenOff`, so a real answer that still comes replaces it (recordResults).
 * A push goes out only within its operation's validity, so only operations whose validity ended
 * by `deliveredBy` can hold such targets; those of the last 30 days before it are looked at, which
 * keeps each run to a few index lookups however many operations the site keeps.
 * Returns the operations that changed.
 */
export async function writeOffSilentTargets(db: Db, options: { deliveredBy: Date; now: Date; detail: ActionResultDetail }): Promise<number[]> {
  const { rows } = await db.query<{ operation_id: number }>(
    `WITH due AS MATERIALIZED (
       SELECT id FROM client_operation WHERE valid_until <= $1 AND valid_until > $1::timestamptz - interval '30 days')
     UPDATE client_operation_target t
        SET state = 'FAILED', completed_at = $2, result = $3::jsonb || '{"writtenOff": true}'::jsonb
       FROM due
      WHERE t.operation_id = due.id AND t.state = 'DELIVERED' AND t.completed_at IS NULL AND t.delivered_at <= $1
     RETURNING t.operation_id`,
    [options.deliveredBy, options.now, JSON.stringify(options.detail)],
  );
  return [...new Set(rows.map((r) => r.operation_id))];
}

/** The next moment an operation's validity ends, for Notification Manager's timer. */
export async function nextValidityEnd(db: Db): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(valid_until) AS at FROM client_operation WHERE expired_at IS NULL AND cancelled_at IS NULL`,
  );
  return rows[0].at;
}

/** Push requests of operations no longer valid are history: delete them. */
export async function purgePushes(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM notification_push p USING client_operation o
      WHERE o.id = p.operation_id AND (o.valid_until < $1::timestamptz - interval '1 day' OR o.cancelled_at < $1::timestamptz - interval '1 day')`,
    [now],
  );
  return rowCount ?? 0;
}

export async function notifyProgress(db: Db, notice: OperationNotice): Promise<void> {
  const notify = (body: OperationNotice) => db.query(`SELECT pg_notify($1, $2)`, [channels.clientOperationProgress, JSON.stringify(body)]);
  // NOTIFY payloads stay under 8,000 bytes. Any change makes a console read its whole list again,
  // so 500 changed ids say as much as more; every answered operation is named, in several if need be.
  if ('changed' in notice) await notify({ changed: notice.changed.slice(0, 500) });
  else for (let i = 0; i < notice.answered.length; i += 500) await notify({ answered: notice.answered.slice(i, i + 500) });
}

// ---------------------------------------------------------------- notification server

export async function latestPushId(db: Db): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM notification_push`);
  return rows[0].id;
}

export interface PushRequest {
  id: string;
  operationId: number;
  kind: 'START' | 'CANCEL';
}

export async function readPushesAfter(db: Db, cursor: string): Promise<PushRequest[]> {
  const { rows } = await db.query<{ id: string; operation_id: number; kind: PushRequest['kind'] }>(
    `SELECT id::text, operation_id, kind FROM notification_push WHERE id > $1::bigint ORDER BY id LIMIT 1000`,
    [cursor],
  );
  return rows.map((r) => ({ id: r.id, operationId: r.operation_id, kind: r.kind }));
}

/** An int[] as PostgreSQL prints it (`{1,2,3}`; no NULLs, no quotes), as numbers. */
function intArrayFromText(text: string): number[] {
  return text.length > 2 ? text.slice(1, -1).split(',').map(Number) : [];
}

/**
 * What a START push needs, in one read: the operation, and its targets not reached yet — the ids
 * fixed at the start while its rows are not written, else the rows still waiting.
 */
export async function findPushTargets(
  db: Db,
  operationId: number,
): Promise<{
  action: ClientAction;
  validUntil: Date;
  cancelledAt: Date | null;
  deviceIds: number[];
  script: ScriptRun | null;
  liveQuery: LiveQueryRun | null;
} | null> {
  const { rows } = await db.query<{
    action: ClientAction;
    valid_until: Date;
    cancelled_at: Date | null;
    device_ids: string;
    script: ScriptRun | null;
    live_query: LiveQueryRun | null;
  }>(
    // The ids as text: pg's generic array parser takes 10-30 ms for 25,000 of them, on the push's path.
    `SELECT o.action, o.valid_until, o.cancelled_at, o.script, o.live_query,
            coalesce(o.pending_target_ids,
                     ARRAY(SELECT t.device_id FROM client_operation_target t WHERE t.operation_id = o.id AND t.state = 'WAITING'))::text AS device_ids
       FROM client_operation o WHERE o.id = $1`,
    [operationId],
  );
  const r = rows[0];
  return r
    ? {
        action: r.action,
        validUntil: r.valid_until,
        cancelledAt: r.cancelled_at,
        deviceIds: intArrayFromText(r.device_ids),
        script: r.script,
        liveQuery: r.live_query,
      }
    : null;
}

/**
 * Cancels owed to clients that just connected: operations cancelled since `since` whose target on
 * one of them has no result yet. A cancel goes out once, to the clients connected at that moment;
 * a client then between two management points (its own died before passing the cancel on) would
 * otherwise run the cancelled action to its end. A client not running the operation ignores it.
 */
export async function owedCancels(db: Db, options: { deviceIds: number[]; since: Date }): Promise<{ deviceId: number; operationId: number }[]> {
  if (!options.deviceIds.length) return [];
  const { rows } = await db.query<{ device_id: number; id: number }>(
    `WITH cancelled AS (SELECT id, pending_target_ids FROM client_operation WHERE cancelled_at > $2)
     SELECT t.device_id, t.operation_id AS id
       FROM cancelled o JOIN client_operation_target t ON t.operation_id = o.id
      WHERE t.device_id = ANY($1::int[]) AND t.completed_at IS NULL AND t.state IN ('DELIVERED', 'CANCELLED')
     UNION
     SELECT c.device_id, o.id
       FROM cancelled o CROSS JOIN LATERAL unnest(o.pending_target_ids) AS p(device_id)
       JOIN unnest($1::int[]) AS c(device_id) ON c.device_id = p.device_id`,
    [options.deviceIds, options.since],
  );
  return rows.map((r) => ({ deviceId: r.device_id, operationId: r.id }));
}

/** Pushes owed to clients that just connected: their unreached targets of operations still valid. */
export async function owedPushes(
  db: Db,
  options: { deviceIds: number[]; now: Date },
): Promise<
  { deviceId: number; operationId: number; action: ClientAction; validUntil: Date; script: ScriptRun | null; liveQuery: LiveQueryRun | null }[]
> {
  if (!options.deviceIds.length) return [];
  // Targets whose rows are not written yet are all waiting.
  const { rows } = await db.query<{
    device_id: number;
    id: number;
    action: ClientAction;
    valid_until: Date;
    script: ScriptRun | null;
    live_query: LiveQueryRun | null;
  }>(
    `SELECT t.device_id, o.id, o.action, o.valid_until, o.script, o.live_query
       FROM client_operation_target t JOIN client_operation o ON o.id = t.operation_id
      WHERE t.device_id = ANY($1::int[]) AND t.state = 'WAITING' AND o.valid_until > $2 AND o.cancelled_at IS NULL
     UNION ALL
     SELECT c.device_id, o.id, o.action, o.valid_until, o.script, o.live_query
       FROM client_operation o CROSS JOIN LATERAL unnest(o.pending_target_ids) AS p(device_id)
       JOIN unnest($1::int[]) AS c(device_id) ON c.device_id = p.device_id
      WHERE o.pending_target_ids IS NOT NULL AND o.valid_until > $2 AND o.cancelled_at IS NULL
      ORDER BY 2`,
    [options.deviceIds, options.now],
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    operationId: r.id,
    action: r.action,
    validUntil: r.valid_until,
    script: r.script,
    liveQuery: r.live_query,
  }));
}

/** Records pushes clients acknowledged; returns the operations that changed. */
export async function recordDeliveries(db: Db, items: { operationId: number; deviceId: number; at: Date }[]): Promise<number[]> {
  if (!items.length) return [];
  // A client that answers was reached, even if the validity lapsed or a cancel came meanwhile.
  const { rows } = await db.query<{ operation_id: number }>(
    `UPDATE client_operation_target t SET state = 'DELIVERED', delivered_at = i.at
       FROM unnest($1::int[], $2::int[], $3::timestamptz[]) AS i(operation_id, device_id, at)
      WHERE t.operation_id = i.operation_id AND t.device_id = i.device_id AND t.state IN ('WAITING', 'EXPIRED', 'CANCELLED')
     RETURNING t.operation_id`,
    [items.map((i) => i.operationId), items.map((i) => i.deviceId), items.map((i) => i.at)],
  );
  return [...new Set(rows.map((r) => r.operation_id))];
}

/**
 * Records what clients' actions did; a target's first result stands (every result sets
 * completed_at), but for one the site wrote off for want of an answer (writeOffSilentTargets). A CANCELLED result is an action the client stopped on a cancel. A live query's
 * rows go to live_query_row in the same statement, only for the targets this result completed, so
 * a result sent again adds nothing; the stored result keeps their count.
 * Returns the operations that changed.
 */
export async function recordResults(
  db: Db,
  items: {
    operationId: number;
    deviceId: number;
    outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
    detail: ActionResultDetail;
    completedAt: Date;
    receivedAt: Date;
  }[],
): Promise<number[]> {
  if (!items.length) return [];
  const liveRows = { operationIds: [] as number[], deviceIds: [] as number[], rowNos: [] as number[], rows: [] as string[] };
  const details = items.map((i) => {
    const live = i.detail.liveQuery;
    if (!live) return JSON.stringify(i.detail);
    live.rows.forEach((row, n) => {
      liveRows.operationIds.push(i.operationId);
      liveRows.deviceIds.push(i.deviceId);
      liveRows.rowNos.push(n);
      liveRows.rows.push(JSON.stringify(row));
    });
    return JSON.stringify({ ...i.detail, liveQuery: { ...live, rows: [] } });
  });
  const { rows } = await db.query<{ operation_id: number }>(
    `WITH done AS (
       UPDATE client_operation_target t
          SET state = i.outcome::operation_target_state, result = i.result::jsonb,
              -- The client's clock says when it finished; one that puts that before the start or
              -- after the arrival is hours off, and the arrival is the nearest time known.
              completed_at = CASE WHEN i.completed_at BETWEEN o.started_at AND i.received_at THEN i.completed_at ELSE i.received_at END,
              -- A result can arrive before the acknowledgement the notification server holds to batch:
              -- then the push was delivered no later than the action completed.
              delivered_at = coalesce(t.delivered_at, CASE WHEN i.completed_at BETWEEN o.started_at AND i.received_at THEN i.completed_at ELSE i.received_at END)
         FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[])
              AS i(operation_id, device_id, outcome, completed_at, result, received_at)
              JOIN client_operation o ON o.id = i.operation_id
        WHERE t.operation_id = i.operation_id AND t.device_id = i.device_id
          AND (t.state NOT IN ('SUCCEEDED', 'FAILED') AND t.completed_at IS NULL OR (t.result->>'writtenOff')::boolean IS TRUE)
       RETURNING t.operation_id, t.device_id
     ), live AS (
       INSERT INTO live_query_row (operation_id, device_id, row_no, row)
       SELECT r.operation_id, r.device_id, r.row_no, r.row::jsonb
         FROM unnest($7::int[], $8::int[], $9::int[], $10::text[]) AS r(operation_id, device_id, row_no, row)
         JOIN done USING (operation_id, device_id)
       ON CONFLICT DO NOTHING
     )
     SELECT operation_id FROM done`,
    [
      items.map((i) => i.operationId),
      items.map((i) => i.deviceId),
      items.map((i) => i.outcome),
      items.map((i) => i.completedAt),
      details,
      items.map((i) => i.receivedAt),
      liveRows.operationIds,
      liveRows.deviceIds,
      liveRows.rowNos,
      liveRows.rows,
    ],
  );
  return [...new Set(rows.map((r) => r.operation_id))];
}

export async function scriptOutputGroups(db: Db, operationId: number): Promise<ScriptOutputGroup[]> {
  const { rows } = await db.query<{
    outcome: string;
    exit_code: number | null;
    timed_out: boolean;
    stdout: string;
    stderr: string;
    stdout_truncated: boolean;
    stderr_truncated: boolean;
    devices: number;
    sample: string[];
  }>(
    `SELECT t.state::text AS outcome, (t.result->'script'->>'exitCode')::int AS exit_code,
            coalesce((t.result->'script'->>'timedOut')::boolean, false) AS timed_out,
            coalesce(t.result->'script'->>'stdout', t.result->>'message', '') AS stdout, coalesce(t.result->'script'->>'stderr', '') AS stderr,
            coalesce((t.result->'script'->>'stdoutTruncated')::boolean, false) AS stdout_truncated,
            coalesce((t.result->'script'->>'stderrTruncated')::boolean, false) AS stderr_truncated,
            count(*)::int AS devices, (array_agg(d.name ORDER BY d.name))[1:20] AS sample
       FROM client_operation_target t JOIN device d ON d.id = t.device_id
      WHERE t.operation_id = $1 AND t.result IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ORDER BY devices DESC, exit_code NULLS LAST
      LIMIT 500`,
    [operationId],
  );
  return rows.map((r) => ({
    outcome: r.outcome,
    exitCode: r.exit_code,
    timedOut: r.timed_out,
    stdout: r.stdout,
    stderr: r.stderr,
    stdoutTruncated: r.stdout_truncated,
    stderrTruncated: r.stderr_truncated,
    devices: r.devices,
    sampleDevices: r.sample,
  }));
}

/** Every target of an operation with its script result, by device name, for CSV export. */
export async function scriptResultRows(
  db: Db,
  operationId: number,
): Promise<{ deviceName: string; state: string; completedAt: Date | null; result: ActionResultDetail | null }[]> {
  const { rows } = await db.query<{ name: string; state: string; completed_at: Date | null; result: ActionResultDetail | null }>(
    `SELECT d.name, t.state::text AS state, t.completed_at, t.result
       FROM client_operation_target t JOIN device d ON d.id = t.device_id
      WHERE t.operation_id = $1 ORDER BY d.name`,
    [operationId],
  );
  return rows.map((r) => ({ deviceName: r.name, state: r.state, completedAt: r.completed_at, result: r.result }));
}

/** How many rows a live query has stored, and how many devices had more rows than they sent. */
export async function liveQueryStoredCounts(db: Db, operationId: number): Promise<{ rows: number; devicesTruncated: number }> {
  const { rows } = await db.query<{ rows: number; truncated: number }>(
    `SELECT (SELECT count(*)::int FROM live_query_row WHERE operation_id = $1) AS rows,
            (SELECT count(*)::int FROM client_operation_target
              WHERE operation_id = $1 AND (result -> 'liveQuery' ->> 'truncated')::boolean) AS truncated`,
    [operationId],
  );
  return { rows: rows[0].rows, devicesTruncated: rows[0].truncated };
}

/**
 * Holds, until the caller's transaction ends, the right to add rows to these live queries. A row's
 * seq is taken as it is inserted and the console reads the rows after the last seq it holds: two
 * management points whose inserts committed in the other order would hide the rows of the one
 * that committed second. One writer at a time per operation, committed before the next numbers
 * its rows, keeps seq in the order of commit. Taken in id order, so two writers cannot deadlock.
 */
export async function lockLiveQueryRowOrder(client: pg.ClientBase, operationIds: readonly number[]): Promise<void> {
  if (!operationIds.length) return;
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('live_query_row'), id) FROM unnest($1::int[]) AS id`, [
    [...operationIds].sort((a, b) => a - b),
  ]);
}

/** A page of a live query's rows, with each device's name, in the order they arrived. */
export async function liveQueryRows(
  db: Db,
  operationId: number,
  page: { after: string | undefined; limit: number },
): Promise<{ seq: string; deviceName: string; row: Record<string, unknown> }[]> {
  const { rows } = await db.query<{ seq: string; name: string; row: Record<string, unknown> }>(
    `SELECT r.seq::text, d.name, r.row
       FROM live_query_row r JOIN device d ON d.id = r.device_id
      WHERE r.operation_id = $1 AND r.seq > $2::bigint
      ORDER BY r.seq LIMIT $3`,
    [operationId, page.after ?? '0', page.limit],
  );
  return rows.map((r) => ({ seq: r.seq, deviceName: r.name, row: r.row }));
}

/**
 * A summarizing live query's device summaries merged by the same keys: counts and sums added,
 * minima and maxima compared. Key and aggregate names are bound as parameters, never spliced in.
 */
export async function mergedLiveQuerySummary(
  db: Db,
  operationId: number,
  stage: { by: string[]; aggregates: { fn: 'count' | 'sum' | 'min' | 'max'; name: string }[] },
): Promise<Record<string, string | number | boolean | null>[]> {
  const params: unknown[] = [operationId];
  const param = (value: unknown) => `$${params.push(value)}`;
  const keys = stage.by.map((k) => `row -> ${param(k)}`);
  const aggregates = stage.aggregates.map((a) => {
    // A value is the device's word: one that is not a JSON number (a broken agent's "many") is
    // left out rather than failing the cast, and with it the whole summary.
    const name = param(a.name);
    const value = (type: string) => `CASE WHEN jsonb_typeof(row -> ${name}) = 'number' THEN (row ->> ${name})::${type} END`;
    if (a.fn === 'min' || a.fn === 'max') return `${a.fn}(${value('float8')})`;
    // Added as numeric: a float8 sum past the largest double fails the whole summary. A sum past
    // it is no number JSON carries: null, as the devices' own merge gives (Infinity).
    const sum = `sum(${value('numeric')})`;
    return `CASE WHEN ${sum} IS NULL THEN 0 WHEN abs(${sum}) <= ${Number.MAX_VALUE} THEN ${sum}::float8 END`;
  });
  const { rows } = await db.query<{ keys: (string | number | boolean | null)[]; values: (number | null)[] }>(
    `SELECT jsonb_build_array(${keys.join(', ')}) AS keys, ARRAY[${aggregates.join(', ') || 'NULL'}]::float8[] AS values
       FROM live_query_row WHERE operation_id = $1
      GROUP BY 1`,
    params,
  );
  return rows.map((r) =>
    Object.fromEntries([...stage.by.map((k, i) => [k, r.keys[i] ?? null]), ...stage.aggregates.map((a, i) => [a.name, r.values[i]])]),
  );
}
