import type pg from 'pg';
import { startOfLocalDay } from './local-time';
import type { BatchSummary, ComponentKey } from './summarize-batch';

const byKey = <T>(rows: T[], key: (r: T) => string) => rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/**
 * Claims a batch for the summaries: false when the same batch was folded in before (its
 * messages handed over a second time), so nothing is counted twice.
 */
export async function claimSummarizerBatch(client: pg.ClientBase, batchId: string): Promise<boolean> {
  const { rowCount } = await client.query(`INSERT INTO summarizer_batch (batch_id) VALUES ($1) ON CONFLICT DO NOTHING`, [batchId]);
  return rowCount === 1;
}

export async function readSiteTimeZones(client: pg.ClientBase, codes: string[]): Promise<Map<string, string>> {
  // FOR SHARE: a time-zone change (which rebuilds the day counts) waits for this batch, and the next batch for it.
  const { rows } = await client.query<{ code: string; time_zone: string }>(
    `SELECT code, time_zone FROM site WHERE code = ANY($1::text[]) ORDER BY code FOR SHARE`,
    [codes],
  );
  return new Map(rows.map((r) => [r.code, r.time_zone]));
}

/**
 * Component ids for the keys, registering site systems and components seen for the first time
 * (a site system that reports is one). In key order, so concurrent batches lock alike.
 */
export async function ensureComponents(client: pg.ClientBase, keys: [string, ComponentKey][]): Promise<Map<string, number>> {
  const sorted = byKey(keys, ([k]) => k);
  const sites = sorted.map(([, k]) => k.siteCode);
  const systems = sorted.map(([, k]) => k.systemName);
  const names = sorted.map(([, k]) => k.component);
  await client.query(
    `INSERT INTO site_system (site_id, name, updated_at)
     SELECT DISTINCT s.id, t.system_name, now()
       FROM unnest($1::text[], $2::text[]) AS t(site_code, system_name) JOIN site s ON s.code = t.site_code
      ORDER BY 1, 2
     ON CONFLICT (site_id, name) DO NOTHING`,
    [sites, systems],
  );
  const { rows } = await client.query<{ id: number; ord: string }>(
    `WITH wanted AS (
       SELECT t.ord, ss.id AS system_id, t.component
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(site_code, system_name, component, ord)
         JOIN site s ON s.code = t.site_code
         JOIN site_system ss ON ss.site_id = s.id AND ss.name = t.system_name
     ), inserted AS (
       INSERT INTO component (site_system_id, name, updated_at)
       SELECT system_id, component, now() FROM wanted ORDER BY 1, 2
       ON CONFLICT (site_system_id, name) DO NOTHING
       RETURNING id, site_system_id, name
     )
     SELECT COALESCE(i.id, c.id) AS id, w.ord::text AS ord
       FROM wanted w
       LEFT JOIN inserted i ON i.site_system_id = w.system_id AND i.name = w.component
       LEFT JOIN component c ON c.site_system_id = w.system_id AND c.name = w.component`,
    [sites, systems, names],
  );
  const ids = new Map<string, number>();
  for (const r of rows) ids.set(sorted[Number(r.ord) - 1][0], r.id);
  return ids;
}

const RATE_SHARDS = 8;

/** Adds a batch's increments to the day, hour and minute counts and carries its state changes. */
export async function applyBatchSummary(
  client: pg.ClientBase,
  summary: BatchSummary,
  ids: ReadonlyMap<string, number>,
  shard = Math.floor(Math.random() * RATE_SHARDS),
): Promise<void> {
  const days = byKey(
    summary.days.filter((d) => ids.has(d.key)).map((d) => ({ ...d, id: ids.get(d.key)! })),
    (d) => `${String(d.id).padStart(10, '0')}|${d.dayStart.toISOString()}`,
  );
  if (days.length) {
    await client.query(
      `INSERT INTO component_summary (component_id, interval_start, info_count, warning_count, error_count, last_message_at)
       SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::timestamptz[])
       ON CONFLICT (component_id, interval_start) DO UPDATE SET
         info_count = component_summary.info_count + EXCLUDED.info_count,
         warning_count = component_summary.warning_count + EXCLUDED.warning_count,
         error_count = component_summary.error_count + EXCLUDED.error_count,
         last_message_at = GREATEST(component_summary.last_message_at, EXCLUDED.last_message_at)`,
      [
        days.map((d) => d.id),
        days.map((d) => d.dayStart),
        days.map((d) => d.info),
        days.map((d) => d.warning),
        days.map((d) => d.error),
        days.map((d) => d.lastMessageAt),
      ],
    );
  }
  const hours = byKey(
    summary.hours.filter((h) => ids.has(h.key)).map((h) => ({ ...h, id: ids.get(h.key)! })),
    (h) => `${String(h.id).padStart(10, '0')}|${h.hourStart.toISOString()}|${String(h.messageId).padStart(10, '0')}|${h.severity}`,
  );
  if (hours.length) {
    await client.query(
      `INSERT INTO component_message_count (component_id, hour_start, message_id, severity, count)
       SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::int[], $4::severity[], $5::int[])
       ON CONFLICT (component_id, hour_start, message_id, severity) DO UPDATE SET count = component_message_count.count + EXCLUDED.count`,
      [hours.map((h) => h.id), hours.map((h) => h.hourStart), hours.map((h) => h.messageId), hours.map((h) => h.severity), hours.map((h) => h.count)],
    );
  }
  const states = byKey(
    summary.states.filter((s) => ids.has(s.key)).map((s) => ({ ...s, id: ids.get(s.key)! })),
    (s) => String(s.id).padStart(10, '0'),
  );
  if (states.length) {
    await client.query(
      `UPDATE component c SET state = t.state, availability = t.availability,
              last_heartbeat_at = GREATEST(c.last_heartbeat_at, t.heartbeat_at), updated_at = now()
         FROM unnest($1::int[], $2::component_state[], $3::availability[], $4::timestamptz[], $4::timestamptz[])
              AS t(id, state, availability, heartbeat_at)
        WHERE c.id = t.id`,
      [states.map((s) => s.id), states.map((s) => s.state), states.map((s) => s.availability), states.map((s) => s.heartbeatAt)],
    );
  }
  const systems = byKey(summary.systems, (s) => `${s.siteCode}|${s.systemName}`);
  if (systems.length) {
    // Only when it moves by a second or more: every batch would otherwise queue on these few rows.
    await client.query(
      `UPDATE site_system ss SET last_reported_at = t.at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(site_code, system_name, at), site s
        WHERE s.code = t.site_code AND ss.site_id = s.id AND ss.name = t.system_name
          AND (ss.last_reported_at IS NULL OR ss.last_reported_at < t.at - interval '1 second')`,
      [systems.map((s) => s.siteCode), systems.map((s) => s.systemName), systems.map((s) => s.lastReportedAt)],
    );
  }
  const storage = byKey(summary.storage, (s) => `${s.siteCode}|${s.systemName}|${s.name}`);
  if (storage.length) {
    await client.query(
      `INSERT INTO site_system_storage_object (site_system_id, name, free_bytes, total_bytes, reported_at)
       SELECT ss.id, t.name, t.free_bytes, t.total_bytes, t.reported_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[])
              AS t(site_code, system_name, name, free_bytes, total_bytes, reported_at)
         JOIN site s ON s.code = t.site_code
         JOIN site_system ss ON ss.site_id = s.id AND ss.name = t.system_name
       ON CONFLICT (site_system_id, name) DO UPDATE SET free_bytes = EXCLUDED.free_bytes, total_bytes = EXCLUDED.total_bytes,
              reported_at = EXCLUDED.reported_at
        WHERE site_system_storage_object.reported_at <= EXCLUDED.reported_at`,
      [
        storage.map((s) => s.siteCode),
        storage.map((s) => s.systemName),
        storage.map((s) => s.name),
        storage.map((s) => s.freeBytes.toString()),
        storage.map((s) => s.totalBytes.toString()),
        storage.map((s) => s.reportedAt),
      ],
    );
  }
  // Every batch of a site adds to the same minute: each to one of a few rows, so batches do not queue.
  const minutes = byKey(summary.minutes, (m) => `${m.siteCode}|${m.minuteStart.toISOString()}|${m.severity}`);
  if (minutes.length) {
    await client.query(
      `INSERT INTO status_rate_minute (site_code, minute_start, severity, shard, count)
       SELECT t.site_code, t.minute_start, t.severity, $5, t.count FROM unnest($1::text[], $2::timestamptz[], $3::severity[], $4::int[])
              AS t(site_code, minute_start, severity, count)
       ON CONFLICT (site_code, minute_start, severity, shard) DO UPDATE SET count = status_rate_minute.count + EXCLUDED.count`,
      [minutes.map((m) => m.siteCode), minutes.map((m) => m.minuteStart), minutes.map((m) => m.severity), minutes.map((m) => m.count), shard],
    );
  }
}

/** How far back a time-zone change re-counts the days: inside the hour counts' retention (45 days) with a day to spare. */
const REBUILD_DAYS = 43;

/**
 * After a site's time zone changes, its day counts (kept per local day of the zone in force
 * when counted) are re-counted from the hour counts under the new zone's days, from the old
 * zone's midnight REBUILD_DAYS ago: "since midnight", "since Sunday" and a chosen date stay
 * exact. The hour counts are per hour of the zone in force, so this is exact whenever the two
 * zones' offsets differ by whole hours. Older days stay as they were counted.
 */
export async function rebuildDayCounts(
  client: pg.ClientBase,
  options: { siteId: number; oldTimeZone: string; timeZone: string; now?: Date },
): Promise<void> {
  const from = startOfLocalDay(new Date((options.now ?? new Date()).getTime() - REBUILD_DAYS * 86_400_000), options.oldTimeZone);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS rebuilt_last (component_id int PRIMARY KEY, last timestamptz) ON COMMIT DROP`);
  await client.query(`TRUNCATE rebuilt_last`);
  await client.query(
    `WITH gone AS (
       DELETE FROM component_summary s USING component c, site_system ss
        WHERE s.component_id = c.id AND ss.id = c.site_system_id AND ss.site_id = $1 AND s.interval_start >= $2
        RETURNING s.component_id, s.last_message_at
     )
     INSERT INTO rebuilt_last SELECT component_id, max(last_message_at) FROM gone GROUP BY 1`,
    [options.siteId, from],
  );
  await client.query(
    `WITH days AS (
       SELECT m.component_id, (date_trunc('day', m.hour_start AT TIME ZONE $3) AT TIME ZONE $3) AS day_start,
              sum(m.count) FILTER (WHERE m.severity = 'INFORMATIONAL') AS info,
              sum(m.count) FILTER (WHERE m.severity = 'WARNING') AS warning,
              sum(m.count) FILTER (WHERE m.severity = 'ERROR') AS error
         FROM component_message_count m
         JOIN component c ON c.id = m.component_id
         JOIN site_system ss ON ss.id = c.site_system_id
        WHERE ss.site_id = $1 AND m.hour_start >= $2
        GROUP BY 1, 2
     )
     INSERT INTO component_summary (component_id, interval_start, info_count, warning_count, error_count, last_message_at)
     SELECT d.component_id, d.day_start, COALESCE(d.info, 0), COALESCE(d.warning, 0), COALESCE(d.error, 0),
            -- The last arrival belongs on the component's newest day.
            CASE WHEN d.day_start = max(d.day_start) OVER (PARTITION BY d.component_id) THEN l.last END
       FROM days d LEFT JOIN rebuilt_last l ON l.component_id = d.component_id
     ON CONFLICT (component_id, interval_start) DO UPDATE SET
       info_count = component_summary.info_count + EXCLUDED.info_count,
       warning_count = component_summary.warning_count + EXCLUDED.warning_count,
       error_count = component_summary.error_count + EXCLUDED.error_count,
       last_message_at = GREATEST(component_summary.last_message_at, EXCLUDED.last_message_at)`,
    [options.siteId, from, options.timeZone],
  );
}

/** Drops hour counts, minute rates and batch ids past their use; day counts are kept. */
export async function pruneSummaries(db: pg.Pool, options: { now: Date; hourDays: number; batchDays: number }) {
  const day = 86_400_000;
  const t = options.now.getTime();
  await db.query(`DELETE FROM component_message_count WHERE hour_start < $1`, [new Date(t - options.hourDays * day)]);
  await db.query(`DELETE FROM status_rate_minute WHERE minute_start < $1`, [new Date(t - 2 * day)]);
  await db.query(`DELETE FROM summarizer_batch WHERE processed_at < $1`, [new Date(t - options.batchDays * day)]);
}
