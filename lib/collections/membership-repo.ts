import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { notifyDeploymentsChanged } from '../deployments/notify-deployments-changed';
import { queryRuleSchema } from './collection-rule.schema';
import { deviceQuerySql } from './device-query-sql';
import { resolveQueryRule, type RuleLookups } from './resolve-query-rule';
import { ruleLookups } from './rule-lookup-repo';
import { channels } from '../db/channels';

export interface CollectionDefinition {
  id: number;
  limitingCollectionId: number | null;
  refreshMinutes: number;
  lastEvaluatedAt: Date | null;
  rules: {
    kind: 'DIRECT' | 'QUERY' | 'INCLUDE' | 'EXCLUDE';
    deviceId: number | null;
    query: unknown;
    referencedCollectionId: number | null;
  }[];
}

export async function loadCollectionDefinitions(db: pg.Pool | pg.PoolClient): Promise<CollectionDefinition[]> {
  const { rows } = await db.query(
    `SELECT c.id, c.limiting_collection_id, c.refresh_minutes, c.last_evaluated_at,
            coalesce(json_agg(json_build_object(
              'kind', r.kind, 'deviceId', r.device_id, 'query', r.query,
              'referencedCollectionId', r.referenced_collection_id)) FILTER (WHERE r.id IS NOT NULL), '[]') AS rules
       FROM collection c LEFT JOIN collection_rule r ON r.collection_id = c.id
      GROUP BY c.id ORDER BY c.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    limitingCollectionId: r.limiting_collection_id,
    refreshMinutes: r.refresh_minutes,
    lastEvaluatedAt: r.last_evaluated_at,
    rules: r.rules,
  }));
}

/**
 * SELECT of the device ids a collection should have, from its rules. Query rules are resolved
 * first (version comparisons made through `lookups`); evaluation and preview both come here.
 */
export async function desiredMembersSql(c: CollectionDefinition, lookups: RuleLookups): Promise<{ sql: string; params: unknown[] }> {
  const params: unknown[] = [];
  const sources: string[] = [];
  const direct = c.rules.filter((r) => r.kind === 'DIRECT' && r.deviceId !== null).map((r) => r.deviceId);
  if (direct.length) {
    params.push(direct);
    sources.push(`SELECT unnest($${params.length}::int[]) AS device_id`);
  }
  // Validated on write; a bad stored rule selects nothing. Resolved all at once, so that the
  // lookups read every product name of the collection in one statement.
  const queryRules = c.rules.flatMap((r) => {
    const parsed = r.kind === 'QUERY' ? queryRuleSchema.safeParse(r.query) : undefined;
    return parsed?.success ? [parsed.data] : [];
  });
  for (const rule of await Promise.all(queryRules.map((r) => resolveQueryRule(r, lookups)))) {
    const where = deviceQuerySql({ rule, firstParam: params.length + 1 });
    params.push(...where.params);
    sources.push(`SELECT d.id AS device_id FROM device d JOIN site s ON s.id = d.site_id WHERE ${where.sql}`);
  }
  const includes = c.rules.filter((r) => r.kind === 'INCLUDE').map((r) => r.referencedCollectionId);
  if (includes.length) {
    params.push(includes);
    sources.push(`SELECT device_id FROM collection_member WHERE collection_id = ANY($${params.length}::int[])`);
  }
  if (!sources.length) return { sql: 'SELECT NULL::int AS device_id WHERE false', params };
  let sql = sources.join(' UNION ');
  const excludes = c.rules.filter((r) => r.kind === 'EXCLUDE').map((r) => r.referencedCollectionId);
  if (excludes.length) {
    params.push(excludes);
    sql = `(${sql}) EXCEPT SELECT device_id FROM collection_member WHERE collection_id = ANY($${params.length}::int[])`;
  }
  if (c.limitingCollectionId !== null) {
    params.push(c.limitingCollectionId);
    sql = `SELECT device_id FROM (${sql}) m
            WHERE device_id IN (SELECT device_id FROM collection_member WHERE collection_id = $${params.length})`;
  }
  return { sql, params };
}

/**
 * Brings a collection's stored members in line with its rules; returns the member count. Pass the
 * pass's `lookups` so every collection evaluated together reads the same software and OS versions.
 */
export async function replaceMembership(options: { db: pg.Pool; collection: CollectionDefinition; lookups?: RuleLookups }): Promise<number> {
  const { sql, params } = await desiredMembersSql(options.collection, options.lookups ?? ruleLookups(options.db));
  return inTransaction(options.db, async (client) => {
    await client.query(`CREATE TEMP TABLE desired_members ON COMMIT DROP AS SELECT DISTINCT device_id FROM (${sql}) x`, params);
    const id = options.collection.id;
    await client.query(
      `DELETE FROM collection_member cm WHERE cm.collection_id = $1
          AND NOT EXISTS (SELECT 1 FROM desired_members d WHERE d.device_id = cm.device_id)`,
      [id],
    );
    // Only devices not members yet, each locked as it is added: a device being deleted meanwhile
    // (lib/devices/deletion-repo.ts) is waited for and then left out, where its foreign key
    // check would refuse the statement and set the whole collection aside in quarantine.
    await client.query(
      `INSERT INTO collection_member (collection_id, device_id)
       SELECT $1, d.device_id FROM desired_members d
        WHERE NOT EXISTS (SELECT 1 FROM collection_member m WHERE m.collection_id = $1 AND m.device_id = d.device_id)
          AND EXISTS (SELECT 1 FROM device WHERE device.id = d.device_id FOR KEY SHARE)
       ON CONFLICT DO NOTHING`,
      [id],
    );
    const { rows } = await client.query<{ member_count: number }>(
      `UPDATE collection SET member_count = (SELECT count(*) FROM collection_member WHERE collection_id = $1),
              last_evaluated_at = now()
        WHERE id = $1 RETURNING member_count`,
      [id],
    );
    await syncDeploymentTargets(client, id);
    return rows[0]?.member_count ?? 0;
  });
}

/**
 * Keeps the client list of the collection's live deployments in step with its members: a new
 * member gets a None status row; a member that left without ever reporting is dropped. Clients
 * that reported stay, and a deployment past its expiration keeps exactly the clients it had.
 */
export async function syncDeploymentTargets(client: pg.PoolClient, collectionId: number): Promise<void> {
  const live = `d.collection_id = $1 AND d.expired_at IS NULL AND (d.expires_at IS NULL OR d.expires_at > now())`;
  const added = await client.query<{ deployment_id: number }>(
    `INSERT INTO deployment_client_status (deployment_id, device_id)
     SELECT d.id, m.device_id FROM deployment d JOIN collection_member m ON m.collection_id = d.collection_id
      WHERE ${live} ORDER BY 1, 2
     ON CONFLICT DO NOTHING
     RETURNING deployment_id`,
    [collectionId],
  );
  const dropped = await client.query<{ deployment_id: number }>(
    `DELETE FROM deployment_client_status s USING deployment d
      WHERE s.deployment_id = d.id AND ${live} AND s.last_message_id IS NULL AND s.status = 'NONE'
        AND NOT EXISTS (SELECT 1 FROM collection_member m WHERE m.collection_id = $1 AND m.device_id = s.device_id)
     RETURNING s.deployment_id`,
    [collectionId],
  );
  const changed = [...added.rows, ...dropped.rows].map((r) => r.deployment_id);
  if (changed.length) await notifyDeploymentsChanged(client, changed);
}

// One evaluation at a time across every host sharing the database.
const EVALUATION_LOCK_KEY = 7_301_952_044_201n;

/** Runs `work` holding the evaluation lock, or returns null when another process holds it. */
export async function withEvaluationLock<T>(db: pg.Pool, work: () => Promise<T>): Promise<T | null> {
  const client = await db.connect();
  try {
    const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [EVALUATION_LOCK_KEY.toString()]);
    if (!rows[0].ok) return null;
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [EVALUATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}

/**
 * Changes when devices are added or removed (registration, deletion): the collection evaluator
 * then evaluates every collection, so a new client joins its collections (and the deployments
 * targeting them) within a cycle instead of at each collection's next refresh.
 */
export async function deviceFingerprint(db: pg.Pool | pg.PoolClient): Promise<string> {
  const { rows } = await db.query(`SELECT count(*)::text || ':' || coalesce(max(id), 0)::text AS f FROM device`);
  return rows[0].f;
}

/** Tells the collection evaluator that rules or devices changed. */
export async function notifyCollectionsChanged(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query(`SELECT pg_notify($1, '')`, [channels.collectionsChanged]);
}
