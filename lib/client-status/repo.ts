import type pg from 'pg';
import type { ActivityCutoff, ClientActivityTimes, ClientStatusCounts, ClientStatusDay } from './client-status.schema';

/**
 * The SQL of client status. Revoked devices are no longer the site's clients and are not counted.
 * A device's latest activity is greatest() of its three activity columns (NULLs ignored; NULL
 * when it never reported), compared with its own site's cutoff.
 */

type Db = pg.Pool | pg.PoolClient;

const LATEST = 'greatest(d.last_policy_request_at, d.last_heartbeat_at, d.last_hw_inventory_at)';
const CUTOFFS = 'unnest($1::int[], $2::timestamptz[]) AS c(site_id, active_since)';

function cutoffParams(cutoffs: ActivityCutoff[]): [number[], Date[]] {
  return [cutoffs.map((c) => c.siteId), cutoffs.map((c) => c.activeSince)];
}

export async function listSites(db: Db): Promise<{ id: number; code: string }[]> {
  const { rows } = await db.query<{ id: number; code: string }>(`SELECT id, code FROM site ORDER BY code`);
  return rows;
}

/** Counts per site right now (sites without devices are absent). */
export async function countClientStatus(db: Db, cutoffs: ActivityCutoff[]): Promise<Map<number, ClientStatusCounts>> {
  const { rows } = await db.query<ClientStatusCounts & { site_id: number }>(
    `SELECT d.site_id, count(*)::int AS total, count(*) FILTER (WHERE d.online)::int AS online,
            count(*) FILTER (WHERE ${LATEST} >= c.active_since)::int AS active
       FROM device d JOIN ${CUTOFFS} ON c.site_id = d.site_id
      WHERE d.approval <> 'REVOKED'
      GROUP BY d.site_id`,
    cutoffParams(cutoffs),
  );
  return new Map(rows.map((r) => [r.site_id, { total: r.total, online: r.online, active: r.active, inactive: r.total - r.active }]));
}

/**
 * Writes one site's counts for the site's local day containing `at` (the same day's row is
 * overwritten all day, so the last write of a day stands for it).
 */
export async function upsertClientStatusDay(db: Db, row: { siteId: number; at: Date; counts: ClientStatusCounts }): Promise<void> {
  await db.query(
    `INSERT INTO client_status_daily (site_id, day, total, online, active, inactive, updated_at)
     SELECT s.id, ($2::timestamptz AT TIME ZONE s.time_zone)::date, $3, $4, $5, $6, $2 FROM site s WHERE s.id = $1
     ON CONFLICT (site_id, day) DO UPDATE
        SET total = excluded.total, online = excluded.online, active = excluded.active, inactive = excluded.inactive,
            updated_at = excluded.updated_at`,
    [row.siteId, row.at, row.counts.total, row.counts.online, row.counts.active, row.counts.inactive],
  );
}

/** The last `days` local days up to the one containing `now`, summed over sites, oldest first. */
export async function readClientStatusDays(db: Db, options: { now: Date; days: number }): Promise<ClientStatusDay[]> {
  const { rows } = await db.query<ClientStatusDay>(
    `SELECT to_char(h.day, 'YYYY-MM-DD') AS day, sum(h.total)::int AS total, sum(h.online)::int AS online,
            sum(h.active)::int AS active, sum(h.inactive)::int AS inactive
       FROM client_status_daily h JOIN site s ON s.id = h.site_id
      WHERE h.day > ($1::timestamptz AT TIME ZONE s.time_zone)::date - $2::int
      GROUP BY h.day ORDER BY h.day`,
    [options.now, options.days],
  );
  return rows;
}

export interface InactiveClientRecord extends ClientActivityTimes {
  id: number;
  name: string;
  siteId: number;
  siteCode: string;
  online: boolean;
  isDemo: boolean;
}

/** One page of inactive clients, those silent longest (or never heard from) first. */
export async function findInactiveClients(
  db: Db,
  options: { cutoffs: ActivityCutoff[]; limit: number; offset: number },
): Promise<{ rows: InactiveClientRecord[]; total: number }> {
  const inactive = `FROM device d JOIN ${CUTOFFS} ON c.site_id = d.site_id JOIN site s ON s.id = d.site_id
      WHERE d.approval <> 'REVOKED' AND (${LATEST} IS NULL OR ${LATEST} < c.active_since)`;
  const [page, count] = await Promise.all([
    db.query<InactiveClientRecord>(
      `SELECT d.id, d.name, d.site_id AS "siteId", s.code AS "siteCode", d.online, d.is_demo AS "isDemo",
              d.last_policy_request_at AS "lastPolicyRequestAt", d.last_heartbeat_at AS "lastHeartbeatAt",
              d.last_hw_inventory_at AS "lastHwInventoryAt"
         ${inactive}
        ORDER BY ${LATEST} ASC NULLS FIRST, d.name, d.id
        LIMIT $3 OFFSET $4`,
      [...cutoffParams(options.cutoffs), options.limit, options.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n ${inactive}`, cutoffParams(options.cutoffs)),
  ]);
  return { rows: page.rows, total: count.rows[0].n };
}
