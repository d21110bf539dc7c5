import type pg from 'pg';
import { pool } from '../db/pool';
import { z } from 'zod';
import type { Severity } from '../reporting/status-message.schema';
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
  warning_at AS "warningAt", critical_at AS "criticalAt", updated_at AS "updatedAt"`;

/** A threshold row as stored: its `updatedAt` is the version an edit names. */
export type StoredThreshold = ComponentThreshold & { id: number; updatedAt: Date };

export async function listComponentThresholds(db: Db = pool()): Promise<StoredThreshold[]> {
  const { rows } = await db.query(
    `SELECT ${thresholdColumns} FROM summarizer_threshold WHERE summarizer = 'COMPONENT'
      ORDER BY site_code NULLS FIRST, component NULLS FIRST, message_id NULLS FIRST, severity`,
  );
  return rows;
}

export async function findThreshold(id: number, db: Db = pool()): Promise<StoredThreshold | null> {
  const { rows } = await db.query(`SELECT ${thresholdColumns} FROM summarizer_threshold WHERE id = $1 AND summarizer = 'COMPONENT'`, [id]);
  return rows[0] ?? null;
}

/**
 * Inserts (id null) or updates an override on `client`, inside the caller's transaction; null when
 * another row already holds its (site, component, message ID, severity) — checked here because the
 * unique index treats NULLs as distinct.
 */
export async function saveThreshold(
  client: pg.ClientBase,
  t: ComponentThreshold,
  id: number | null,
  options: { check?: (current: StoredThreshold) => void } = {},
): Promise<StoredThreshold | null> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('summarizer_threshold'))`);
  if (id && options.check) {
    // Under the lock every save takes, so the row checked is the row overwritten.
    const { rows } = await client.query(`SELECT ${thresholdColumns} FROM summarizer_threshold WHERE id = $1 AND summarizer = 'COMPONENT'`, [id]);
    if (rows[0]) options.check(rows[0]);
  }
  const clash = await client.query(
    `SELECT 1 FROM summarizer_threshold WHERE summarizer = 'COMPONENT' AND site_code IS NOT DISTINCT FROM $1 AND component IS NOT DISTINCT FROM $2
        AND message_id IS NOT DISTINCT FROM $3 AND severity = $4 AND id IS DISTINCT FROM $5`,
    [t.siteCode, t.component, t.messageId, t.severity, id],
  );
  if (clash.rowCount) return null;
  const { rows } = id
    ? await client.query(
        `UPDATE summarizer_threshold SET site_code = $2, component = $3, message_id = $4, severity = $5, warning_at = $6,
                critical_at = $7, updated_at = now() WHERE id = $1 AND summarizer = 'COMPONENT' RETURNING ${thresholdColumns}`,
        [id, t.siteCode, t.component, t.messageId, t.severity, t.warningAt, t.criticalAt],
      )
    : await client.query(
        `INSERT INTO summarizer_threshold (summarizer, site_code, component, message_id, severity, warning_at, critical_at, updated_at)
         VALUES ('COMPONENT', $1, $2, $3, $4, $5, $6, now()) RETURNING ${thresholdColumns}`,
        [t.siteCode, t.component, t.messageId, t.severity, t.warningAt, t.criticalAt],
      );
  return rows[0] ?? null;
}

export async function deleteThreshold(id: number, db: Db = pool()): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM summarizer_threshold WHERE id = $1 AND summarizer = 'COMPONENT' AND (component IS NOT NULL OR message_id IS NOT NULL)`,
    [id],
  );
  return rowCount === 1;
}

export interface ComponentCountRow {
  id: number;
  systemName: string;
  component: string;
  state: string;
  availability: string;
  /** Epoch milliseconds (cheaper to read than timestamps for thousands of rows). */
  lastHeartbeatAt: number | null;
  lastMessageAt: number | null;
  info: number;
  warning: number;
  error: number;
}

export interface CountReset {
  componentId: number;
  resetAt: Date;
  resetBy: string;
  baseline: { messageId: number; severity: Severity; count: number }[];
}

/** The site's component count resets (few: only components someone reset). */
export async function readCountResets(siteId: number, db: Db = pool()): Promise<CountReset[]> {
  const { rows } = await db.query<CountReset>(
    `SELECT r.component_id AS "componentId", r.reset_at AS "resetAt", r.reset_by AS "resetBy", r.baseline
       FROM component_count_reset r JOIN component c ON c.id = r.component_id JOIN site_system ss ON ss.id = c.site_system_id
      WHERE ss.site_id = $1`,
    [siteId],
  );
  return rows;
}

/**
 * Where a component's counts start: whole local days from `dayFrom` (day counts), and the local
 * hours in [hourFrom, dayFrom) before them (hour counts). Null bounds: since the beginning.
 */
export interface CountBounds {
  dayFrom: Date | null;
  hourFrom: Date | null;
}

// Before any message: the status message schema refuses times before 1970.
const beginning = new Date(0);
const earliest = (dates: (Date | null)[]) =>
  dates.reduce<Date>((min, d) => ((d ?? beginning) < min ? (d ?? beginning) : min), new Date(8_640_000_000_000_000));

/**
 * Each component of a site with its counts within `bounds` (components in `perComponent` within
 * their own bounds): set-wise sums over the day and hour counts, so thousands of components cost
 * a few index range scans rather than a query each.
 */
export async function readComponentCounts(
  options: { siteId: number; bounds: CountBounds; perComponent?: Map<number, CountBounds>; systemName?: string; component?: string },
  db: Db = pool(),
): Promise<ComponentCountRow[]> {
  const own = [...(options.perComponent ?? new Map<number, CountBounds>())];
  const all = [options.bounds, ...own.map(([, b]) => b)];
  const dayFloor = earliest(all.map((b) => b.dayFrom));
  const hourFloor = earliest(all.map((b) => b.hourFrom));
  // Hour counts only count before the first whole day; since a midnight there are none to read.
  const hourCeiling = all.reduce<Date>((max, b) => (b.dayFrom && b.hourFrom && b.dayFrom > max ? b.dayFrom : max), beginning);
  const { rows } = await db.query<ComponentCountRow>(
    `SELECT c.id, ss.name AS "systemName", c.name AS component, c.state, c.availability,
            (extract(epoch FROM c.last_heartbeat_at) * 1000)::float8 AS "lastHeartbeatAt",
            -- The newest day row holds the last arrival; only a component quiet all interval needs the look-up.
            (extract(epoch FROM COALESCE(d.last, (SELECT s.last_message_at FROM component_summary s WHERE s.component_id = c.id
                                                  ORDER BY s.interval_start DESC LIMIT 1))) * 1000)::float8 AS "lastMessageAt",
            (COALESCE(d.info, 0) + COALESCE(h.info, 0))::int AS info,
            (COALESCE(d.warning, 0) + COALESCE(h.warning, 0))::int AS warning,
            (COALESCE(d.error, 0) + COALESCE(h.error, 0))::int AS error
       FROM component c
       JOIN site_system ss ON ss.id = c.site_system_id
       LEFT JOIN (
         SELECT s.component_id, sum(s.info_count) AS info, sum(s.warning_count) AS warning, sum(s.error_count) AS error,
                max(s.last_message_at) AS last
           FROM component_summary s LEFT JOIN unnest($4::int[], $5::timestamptz[]) AS b(id, day_from) ON b.id = s.component_id
          WHERE s.interval_start >= $7 AND s.interval_start >= COALESCE(b.day_from, $2::timestamptz, '-infinity')
          GROUP BY s.component_id
       ) d ON d.component_id = c.id
       LEFT JOIN (
         SELECT m.component_id, sum(m.count) FILTER (WHERE m.severity = 'INFORMATIONAL') AS info,
                sum(m.count) FILTER (WHERE m.severity = 'WARNING') AS warning,
                sum(m.count) FILTER (WHERE m.severity = 'ERROR') AS error
           FROM component_message_count m
           LEFT JOIN unnest($4::int[], $5::timestamptz[], $6::timestamptz[]) AS b(id, day_from, hour_from) ON b.id = m.component_id
          WHERE m.hour_start >= $8 AND m.hour_start < $11 AND m.hour_start >= COALESCE(b.hour_from, $3::timestamptz, '-infinity')
            AND m.hour_start < COALESCE(b.day_from, $2::timestamptz, '-infinity')
          GROUP BY m.component_id
       ) h ON h.component_id = c.id
      WHERE ss.site_id = $1 AND ($9::text IS NULL OR ss.name = $9) AND ($10::text IS NULL OR c.name = $10)`,
    [
      options.siteId,
      options.bounds.dayFrom,
      options.bounds.hourFrom,
      own.map(([id]) => id),
      own.map(([, b]) => b.dayFrom ?? beginning),
      own.map(([, b]) => b.hourFrom ?? beginning),
      dayFloor,
      hourFloor,
      options.systemName ?? null,
      options.component ?? null,
      hourCeiling,
    ],
  );
  // Sorted here: a byte-wise order, cheaper than the database's collation over thousands of names.
  return rows.sort((a, b) =>
    a.systemName < b.systemName ? -1 : a.systemName > b.systemName ? 1 : a.component < b.component ? -1 : a.component > b.component ? 1 : 0,
  );
}

/** Counts of the given message IDs per component of a site, within the same bounds as readComponentCounts (hour counts only). */
export async function readMessageIdCounts(
  options: { siteId: number; bounds: CountBounds; perComponent?: Map<number, CountBounds>; messageIds: number[] },
  db: Db = pool(),
): Promise<{ componentId: number; messageId: number; severity: Severity; count: number }[]> {
  if (!options.messageIds.length) return [];
  const own = [...(options.perComponent ?? new Map<number, CountBounds>())];
  const from = (b: CountBounds) => b.hourFrom ?? b.dayFrom ?? beginning;
  const floor = earliest([options.bounds, ...own.map(([, b]) => b)].map(from));
  const { rows } = await db.query(
    `WITH comp AS (
       SELECT c.id, COALESCE(b.since, $2::timestamptz) AS since
         FROM component c JOIN site_system ss ON ss.id = c.site_system_id
         LEFT JOIN unnest($3::int[], $4::timestamptz[]) AS b(id, since) ON b.id = c.id
        WHERE ss.site_id = $1
     )
     SELECT m.component_id AS "componentId", m.message_id AS "messageId", m.severity, sum(m.count)::int AS count
       FROM component_message_count m JOIN comp ON comp.id = m.component_id
      WHERE m.message_id = ANY($5::int[]) AND m.hour_start >= $6 AND m.hour_start >= comp.since
      GROUP BY 1, 2, 3`,
    [options.siteId, from(options.bounds), own.map(([id]) => id), own.map(([, b]) => from(b)), options.messageIds, floor],
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
