import type pg from 'pg';

/** A replication_outbox row as the forwarder takes it. */
export interface OutboxRow {
  id: string;
  uid: string;
  priority_name: string;
  payload: unknown;
  attempts: number;
}

/** Locks up to `limit` due outbox rows, highest priority first; others forwarding skip them. */
export async function lockDueOutboxRows(client: pg.ClientBase, limit: number): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRow>(
    `SELECT id, uid, priority::text AS priority_name, payload, attempts FROM replication_outbox
      WHERE next_try_at <= now()
      ORDER BY priority DESC, id
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function deleteOutboxRows(client: pg.ClientBase, ids: readonly string[]): Promise<void> {
  await client.query(`DELETE FROM replication_outbox WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Rows in the outbox, counted up to `cap` so a long outage never makes this slow. */
export async function countOutboxRows(db: pg.Pool | pg.ClientBase, cap: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM replication_outbox LIMIT $1) o`, [cap]);
  return Number(rows[0].n);
}

/** When the oldest message waiting in the outbox was queued (ids follow queueing order), or null when it is empty. */
export async function oldestQueuedAt(db: pg.Pool | pg.ClientBase): Promise<Date | null> {
  const { rows } = await db.query<{ created_at: Date }>(`SELECT created_at FROM replication_outbox ORDER BY id LIMIT 1`);
  return rows[0]?.created_at ?? null;
}

/** What the forwarder found at one attempt: the parent took the batch, or did not (and why). */
export type LinkAttempt = { ok: true } | { ok: false; consecutiveFailures: number; error: string; credentialRefused: boolean };

/** Records an attempt on the link to `parentUrl` (the Site Hierarchy view reads it). */
export async function recordLinkAttempt(db: pg.Pool | pg.ClientBase, parentUrl: string, attempt: LinkAttempt): Promise<void> {
  if (attempt.ok) {
    await db.query(
      `INSERT INTO replication_link (parent_url, consecutive_failures, last_attempt_at, last_success_at, last_error, credential_refused, updated_at)
       VALUES ($1, 0, now(), now(), NULL, false, now())
       ON CONFLICT (parent_url) DO UPDATE SET consecutive_failures = 0, last_attempt_at = now(), last_success_at = now(),
         last_error = NULL, credential_refused = false, updated_at = now()`,
      [parentUrl],
    );
    return;
  }
  await db.query(
    `INSERT INTO replication_link (parent_url, consecutive_failures, last_attempt_at, last_error, credential_refused, updated_at)
     VALUES ($1, $2, now(), $3, $4, now())
     ON CONFLICT (parent_url) DO UPDATE SET consecutive_failures = $2, last_attempt_at = now(), last_error = $3,
       credential_refused = $4, updated_at = now()`,
    [parentUrl, attempt.consecutiveFailures, attempt.error.slice(0, 1000), attempt.credentialRefused],
  );
}

export interface ReplicationLinkRow {
  parentUrl: string;
  consecutiveFailures: number;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  credentialRefused: boolean;
}

export async function readReplicationLink(db: pg.Pool | pg.ClientBase, parentUrl: string): Promise<ReplicationLinkRow | null> {
  const { rows } = await db.query<ReplicationLinkRow>(
    `SELECT parent_url AS "parentUrl", consecutive_failures AS "consecutiveFailures", last_attempt_at AS "lastAttemptAt",
            last_success_at AS "lastSuccessAt", last_error AS "lastError", credential_refused AS "credentialRefused"
       FROM replication_link WHERE parent_url = $1`,
    [parentUrl],
  );
  return rows[0] ?? null;
}

/** Messages waiting in the outbox by priority (each counted up to `cap`). */
export async function outboxBacklog(db: pg.Pool | pg.ClientBase, cap: number): Promise<Record<string, number>> {
  const { rows } = await db.query<{ priority: string; n: number }>(
    `SELECT p.priority::text AS priority,
            (SELECT count(*)::int FROM (SELECT 1 FROM replication_outbox o WHERE o.priority = p.priority LIMIT $1) x) AS n
       FROM unnest(enum_range(NULL::replication_priority)) AS p(priority)`,
    [cap],
  );
  return Object.fromEntries(rows.map((r) => [r.priority, r.n]));
}
