import type pg from 'pg';
import { pool } from '../db/pool';
import { z } from 'zod';
import type { Severity } from '../status/status-message.schema';
import type { ComponentThreshold } from './evaluate-thresholds';
import type { DisplayInterval } from './summarizer.schema';

type Db = pg.Pool | pg.ClientBase;

export interface SiteRow {
  id: number;
  code: string;
  name: string;
  timeZone: string;
}

export async function listSites(db: Db = pool()): Promise<SiteRow[]> {
  const { rows } = await db.query<SiteRow>(`SELECT id, code, name, time_zone AS "timeZone" FROM site ORDER BY code`);
  return rows;
}

export async function findSite(code: string, db: Db = pool()): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`SELECT id, code, name, time_zone AS "timeZone" FROM site WHERE code = $1`, [code]);
  return rows[0] ?? null;
}

export interface SummarizerSettingRow {
  displayInterval: DisplayInterval;
  sinceAt: Date | null;
  updatedBy: string | null;
  updatedAt: Date | null;
}

export async function readSummarizerSetting(siteId: number, db: Db = pool()): Promise<SummarizerSettingRow> {
  const { rows } = await db.query<SummarizerSettingRow>(
    `SELECT display_interval AS "displayInterval", since_at AS "sinceAt", updated_by AS "updatedBy", updated_at AS "updatedAt"
       FROM summarizer_setting WHERE site_id = $1`,
    [siteId],
  );
  return rows[0] ?? { displayInterval: 'SINCE_MIDNIGHT', sinceAt: null, updatedBy: null, updatedAt: null };
}

export async function writeSummarizerSetting(
  siteId: number,
  setting: { displayInterval: DisplayInterval; sinceAt: Date | null; updatedBy: string },
  db: Db = pool(),
): Promise<void> {
  await db.query(
    `INSERT INTO summarizer_setting (site_id, display_interval, since_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (site_id) DO UPDATE SET display_interval = $2, since_at = $3, updated_by = $4, updated_at = now()`,
    [siteId, setting.displayInterval, setting.sinceAt, setting.updatedBy],
  );
}

// What this summarizer reads of the site control document's summarizers.siteSystemStatus
// (written and validated by Site Settings); a value missing or unreadable falls back to its default.
const storageSettingsSchema = z.object({
  freeSpaceWarningMb: z.number().catch(10_240),
  freeSpaceCriticalMb: z.number().catch(5_120),
  pollingMinutes: z.number().catch(60),
});

/** The site's Site System Status Summarizer settings, from its site control document (defaults when it has none). */
export async function readStorageSettings(siteId: number, db: Db = pool()) {
  const { rows } = await db.query<{ settings: unknown }>(
    `SELECT document->'summarizers'->'siteSystemStatus' AS settings FROM site_control WHERE site_id = $1`,
    [siteId],
  );
  const raw = rows[0]?.settings;
  return storageSettingsSchema.parse(raw !== null && typeof raw === 'object' ? raw : {});
}

const thresholdColumns = `id, site_code AS "siteCode", component, message_id AS "messageId", severity,
  warning_at AS "warningAt", critical_at AS "criticalAt"`;

export async function listComponentThresholds(db: Db = pool()): Promise<(ComponentThreshold & { id: number })[]> {
  const { rows } = await db.query(
    `SELECT ${thresholdColumns} FROM summarizer_threshold WHERE summarizer = 'COMPONENT'
      ORDER BY site_code NULLS FIRST, component NULLS FIRST, message_id NULLS FIRST, severity`,
  );
  return rows;
}

export async function findThreshold(id: number, db: Db = pool()): Promise<(ComponentThreshold & { id: number }) | null> {
  const { rows } = await db.query(`SELECT ${thresholdColumns} FROM summarizer_threshold WHERE id = $1 AND summarizer = 'COMPONENT'`, [id]);
  return rows[0] ?? null;
}

/** Inserts or replaces the override for its (site, component, message ID, severity); null when another row holds that key. */
export async function saveThreshold(t: ComponentThreshold, id: number | null, db: Db = pool()): Promise<(ComponentThreshold & { id: number }) | null> {
  try {
    const { rows } = id
      ? await db.query(
          `UPDATE summarizer_threshold SET site_code = $2, component = $3, message_id = $4, severity = $5, warning_at = $6,
                  critical_at = $7, updated_at = now() WHERE id = $1 AND summarizer = 'COMPONENT' RETURNING ${thresholdColumns}`,
          [id, t.siteCode, t.component, t.messageId, t.severity, t.warningAt, t.criticalAt],
        )
      : await db.query(
          `INSERT INTO summarizer_threshold (summarizer, site_code, component, message_id, severity, warning_at, critical_at, updated_at)
           VALUES ('COMPONENT', $1, $2, $3, $4, $5, $6, now()) RETURNING ${thresholdColumns}`,
          [t.siteCode, t.component, t.messageId, t.severity, t.warningAt, t.criticalAt],
        );
    return rows[0] ?? null;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return null;
    throw error;
  }
}

export async function deleteThreshold(id: number, db: Db = pool()): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM summarizer_threshold WHERE id = $1 AND summarizer = 'COMPONENT' AND (component IS NOT NULL OR message_id IS NOT NULL)`, [id]);
  return rowCount === 1;
}

export interface ComponentCountRow {
  id: number;
  systemName: string;
  component: string;
  state: string;
  availability: string;
  lastHeartbeatAt: Date | null;
  lastMessageAt: Date | null;
  resetAt: Date | null;
  resetBy: string | null;
  baseline: { messageId: number; severity: Severity; count: number }[] | null;
  info: number;
  warning: number;
  error: number;
}

/**
 * Each component of a site with its counts since `since` (or, with `sinceReset`, since its own
 * last reset): whole local days from the day counts, the partial first day from the hour
 * counts. Baselines of resets are returned for the caller to subtract.
 */
export async function readComponentCounts(
  options: { siteId: number; timeZone: string; since: Date | null; sinceReset: boolean; systemName?: string; component?: string },
  db: Db = pool(),
): Promise<ComponentCountRow[]> {
  const { rows } = await db.query<ComponentCountRow>(
    `WITH comp AS (
       SELECT c.id, ss.name AS system_name, c.name, c.state, c.availability, c.last_heartbeat_at, r.reset_at, r.reset_by, r.baseline,
              CASE WHEN $3::boolean THEN COALESCE(r.reset_at, '-infinity') ELSE COALESCE($2::timestamptz, '-infinity') END AS since
         FROM component c
         JOIN site_system ss ON ss.id = c.site_system_id
         LEFT JOIN component_count_reset r ON r.component_id = c.id
        WHERE ss.site_id = $1 AND ($5::text IS NULL OR ss.name = $5) AND ($6::text IS NULL OR c.name = $6)
     ), bounds AS (
       SELECT comp.*,
              CASE WHEN since = '-infinity' THEN since ELSE date_trunc('hour', since AT TIME ZONE $4) AT TIME ZONE $4 END AS hour_from,
              CASE WHEN since = '-infinity' OR since = date_trunc('day', since AT TIME ZONE $4) AT TIME ZONE $4 THEN since
                   ELSE (date_trunc('day', since AT TIME ZONE $4) + interval '1 day') AT TIME ZONE $4 END AS day_from
         FROM comp
     )
     SELECT b.id, b.system_name AS "systemName", b.name AS component, b.state, b.availability,
            b.last_heartbeat_at AS "lastHeartbeatAt", last.at AS "lastMessageAt", b.reset_at AS "resetAt", b.reset_by AS "resetBy",
            CASE WHEN $3::boolean THEN b.baseline END AS baseline,
            (COALESCE(d.info, 0) + COALESCE(h.info, 0))::int AS info,
            (COALESCE(d.warning, 0) + COALESCE(h.warning, 0))::int AS warning,
            (COALESCE(d.error, 0) + COALESCE(h.error, 0))::int AS error
       FROM bounds b
       LEFT JOIN LATERAL (
         SELECT sum(info_count) AS info, sum(warning_count) AS warning, sum(error_count) AS error
           FROM component_summary s WHERE s.component_id = b.id AND s.interval_start >= b.day_from
       ) d ON true
       LEFT JOIN LATERAL (
         SELECT sum(count) FILTER (WHERE severity = 'INFORMATIONAL') AS info,
                sum(count) FILTER (WHERE severity = 'WARNING') AS warning,
                sum(count) FILTER (WHERE severity = 'ERROR') AS error
           FROM component_message_count m
          WHERE b.hour_from < b.day_from AND m.component_id = b.id AND m.hour_start >= b.hour_from AND m.hour_start < b.day_from
       ) h ON true
       LEFT JOIN LATERAL (
         SELECT last_message_at AS at FROM component_summary s WHERE s.component_id = b.id ORDER BY interval_start DESC LIMIT 1
       ) last ON true
      ORDER BY b.system_name, b.name`,
    [options.siteId, options.since, options.sinceReset, options.timeZone, options.systemName ?? null, options.component ?? null],
  );
  return rows;
}

/** Counts of the given message IDs per component of a site, over the same interval as readComponentCounts. */
export async function readMessageIdCounts(
  options: { siteId: number; timeZone: string; since: Date | null; sinceReset: boolean; messageIds: number[] },
  db: Db = pool(),
): Promise<{ componentId: number; messageId: number; severity: Severity; count: number }[]> {
  if (!options.messageIds.length) return [];
  const { rows } = await db.query(
    `WITH comp AS (
       SELECT c.id, CASE WHEN $3::boolean THEN COALESCE(r.reset_at, '-infinity') ELSE COALESCE($2::timestamptz, '-infinity') END AS since
         FROM component c JOIN site_system ss ON ss.id = c.site_system_id
         LEFT JOIN component_count_reset r ON r.component_id = c.id
        WHERE ss.site_id = $1
     )
     SELECT m.component_id AS "componentId", m.message_id AS "messageId", m.severity, sum(m.count)::int AS count
       FROM comp JOIN component_message_count m ON m.component_id = comp.id
      WHERE m.message_id = ANY($5::int[])
        AND m.hour_start >= CASE WHEN comp.since = '-infinity' THEN comp.since ELSE date_trunc('hour', comp.since AT TIME ZONE $4) AT TIME ZONE $4 END
      GROUP BY 1, 2, 3`,
    [options.siteId, options.since, options.sinceReset, options.timeZone, options.messageIds],
  );
  return rows;
}

/** Locks and resets counts: the reset's hour counts become the baseline. Returns the components reset. */
export async function resetComponentCountRows(
  client: pg.ClientBase,
  options: { siteId: number; systemName?: string; component?: string; at: Date; hourStart: Date; resetBy: string },
): Promise<{ id: number; systemName: string; component: string }[]> {
  const { rows } = await client.query(
    `WITH target AS (
       SELECT c.id, ss.name AS system_name, c.name FROM component c JOIN site_system ss ON ss.id = c.site_system_id
        WHERE ss.site_id = $1 AND ($2::text IS NULL OR ss.name = $2) AND ($3::text IS NULL OR c.name = $3)
        ORDER BY c.id FOR UPDATE OF c
     ), baseline AS (
       SELECT t.id, COALESCE(jsonb_agg(jsonb_build_object('messageId', m.message_id, 'severity', m.severity, 'count', m.count))
                             FILTER (WHERE m.component_id IS NOT NULL), '[]') AS baseline
         FROM target t LEFT JOIN component_message_count m ON m.component_id = t.id AND m.hour_start = $5
        GROUP BY t.id
     ), saved AS (
       INSERT INTO component_count_reset (component_id, reset_at, reset_by, baseline)
       SELECT id, $4, $6, baseline FROM baseline
       ON CONFLICT (component_id) DO UPDATE SET reset_at = EXCLUDED.reset_at, reset_by = EXCLUDED.reset_by, baseline = EXCLUDED.baseline
     )
     SELECT id, system_name AS "systemName", name AS component FROM target ORDER BY system_name, name`,
    [options.siteId, options.systemName ?? null, options.component ?? null, options.at, options.hourStart, options.resetBy],
  );
  return rows;
}

export interface SiteSystemRow {
  id: number;
  name: string;
  lastReportedAt: Date | null;
  roles: string[];
  storage: { name: string; freeBytes: string; totalBytes: string; reportedAt: string }[];
}

export async function readSiteSystems(siteId: number, db: Db = pool()): Promise<SiteSystemRow[]> {
  const { rows } = await db.query<SiteSystemRow>(
    `SELECT ss.id, ss.name, ss.last_reported_at AS "lastReportedAt",
            COALESCE((SELECT array_agg(r.role::text ORDER BY r.role) FROM site_system_role r WHERE r.site_system_id = ss.id), '{}') AS roles,
            COALESCE((SELECT json_agg(json_build_object('name', o.name, 'freeBytes', o.free_bytes::text, 'totalBytes', o.total_bytes::text,
                                                        'reportedAt', o.reported_at) ORDER BY o.name)
                        FROM site_system_storage_object o WHERE o.site_system_id = ss.id), '[]') AS storage
       FROM site_system ss WHERE ss.site_id = $1 ORDER BY ss.name`,
    [siteId],
  );
  return rows;
}

/** Messages per minute (last hour) and per hour (last day) by severity, for a site or one component. */
export async function readRates(options: { siteCode: string; from: Date; bucket: 'minute' | 'hour'; componentId?: number }, db: Db = pool()) {
  if (options.componentId !== undefined) {
    const { rows } = await db.query<{ at: Date; severity: Severity; count: number }>(
      `SELECT hour_start AS at, severity, sum(count)::int AS count FROM component_message_count
        WHERE component_id = $1 AND hour_start >= $2 GROUP BY 1, 2 ORDER BY 1`,
      [options.componentId, options.from],
    );
    return rows;
  }
  const { rows } = await db.query<{ at: Date; severity: Severity; count: number }>(
    `SELECT date_trunc($3, minute_start) AS at, severity, sum(count)::int AS count FROM status_rate_minute
      WHERE site_code = $1 AND minute_start >= $2 GROUP BY 1, 2 ORDER BY 1`,
    [options.siteCode, options.from, options.bucket],
  );
  return rows;
}
