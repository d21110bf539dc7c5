import type pg from 'pg';
import { AppError } from '../errors';
import type { PropertyChange } from './document-paths';
import type { SerialRecord } from './merge-delta';
import type { Conflict, DeltaState, SiteControlApplied } from './site-control-change.schema';
import { defaultSiteSettings, readSettingsDocument, type SiteSettings } from './site-control.schema';
import { channels } from '../db/channels';
import { rebuildDayCounts } from '../summarizers/summary-writes-repo';

// The thin pg layer for site control: documents, history and deltas. Every step of the change
// flow runs inside one transaction the caller holds; locks are taken here, decisions elsewhere.

/** How many superseded documents history keeps per site. */
export const HISTORY_LIMIT = 100;

type Db = pg.Pool | pg.PoolClient;

export interface SiteControlRow {
  id: number;
  siteId: number;
  siteCode: string;
  serial: number;
  /** Read leniently: always a complete, typed document. */
  document: SiteSettings;
  changedBy: string;
  changedAt: Date;
  properties: string[];
  changes: PropertyChange[];
  deltaId: number | null;
  updatedAt: Date;
}

export interface DeltaRow {
  id: number;
  siteControlId: number;
  baseSerial: number;
  changes: Record<string, unknown>;
  comment: string;
  submittedBy: string;
  submittedAt: Date;
  state: DeltaState;
  queuedAt: Date | null;
  mergedAt: Date | null;
  appliedAt: Date | null;
  appliedSerial: number | null;
  error: string | null;
  conflicts: Conflict[] | null;
}

const controlColumns = `sc.id, sc.site_id, s.code AS site_code, s.name AS site_name, s.time_zone AS site_time_zone,
  p.code AS parent_code, sc.serial, sc.document, sc.changed_by, sc.changed_at, sc.properties, sc.changes,
  sc.delta_id, sc.updated_at`;
const controlFrom = `site_control sc JOIN site s ON s.id = sc.site_id LEFT JOIN site p ON p.id = s.parent_site_id`;

function toControl(r: Record<string, any>): SiteControlRow {
  return {
    id: r.id,
    siteId: r.site_id,
    siteCode: r.site_code,
    serial: r.serial,
    document: readSettingsDocument(r.document, {
      code: r.site_code,
      name: r.site_name,
      timeZone: r.site_time_zone,
      parentSiteCode: r.parent_code ?? null,
    }),
    changedBy: r.changed_by,
    changedAt: r.changed_at,
    properties: r.properties ?? [],
    changes: r.changes ?? [],
    deltaId: r.delta_id,
    updatedAt: r.updated_at,
  };
}

const deltaColumns = `id, site_control_id, base_serial, changes, comment, submitted_by, submitted_at, state, queued_at,
  merged_at, applied_at, applied_serial, error, conflicts`;

function toDelta(r: Record<string, any>): DeltaRow {
  return {
    id: r.id,
    siteControlId: r.site_control_id,
    baseSerial: r.base_serial,
    changes: r.changes ?? {},
    comment: r.comment,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    state: r.state,
    queuedAt: r.queued_at,
    mergedAt: r.merged_at,
    appliedAt: r.applied_at,
    appliedSerial: r.applied_serial,
    error: r.error,
    conflicts: r.conflicts,
  };
}

/** The site's document, or null before it has one. `lock` takes the row for this transaction. */
export async function findSiteControl(db: Db, where: { siteCode: string } | { id: number }, options: { lock?: boolean } = {}) {
  const [clause, value] = 'id' in where ? ['sc.id = $1', where.id] : ['s.code = $1', where.siteCode];
  const { rows } = await db.query(`SELECT ${controlColumns} FROM ${controlFrom} WHERE ${clause}${options.lock ? ' FOR UPDATE OF sc' : ''}`, [value]);
  return rows[0] ? toControl(rows[0]) : null;
}

/** The serial and raw document of each of these sites that has one, by site id. */
export async function findSiteControlsBySite(db: Db, siteIds: number[]): Promise<Map<number, { serial: number; document: unknown }>> {
  const { rows } = await db.query(`SELECT site_id, serial, document FROM site_control WHERE site_id = ANY($1::int[])`, [siteIds]);
  return new Map(rows.map((r) => [r.site_id as number, { serial: r.serial as number, document: r.document as unknown }]));
}

/**
 * The site's document, written at serial 0 from the site row and the defaults the first time
 * anyone asks (setup's job in the reference); concurrent callers write it once.
 */
export async function ensureSiteControl(db: Db, options: { siteCode: string; purgeSchedule?: string }): Promise<SiteControlRow> {
  const existing = await findSiteControl(db, { siteCode: options.siteCode });
  if (existing) return existing;
  const { rows } = await db.query(
    `SELECT s.id, s.code, s.name, s.time_zone, p.code AS parent_code FROM site s LEFT JOIN site p ON p.id = s.parent_site_id WHERE s.code = $1`,
    [options.siteCode],
  );
  const site = rows[0];
  if (!site) throw new AppError('NOT_FOUND', { userMessage: `Site ${options.siteCode} is not set up.` });
  const document = defaultSiteSettings(
    { code: site.code, name: site.name.slice(0, 50) || site.code, timeZone: site.time_zone, parentSiteCode: site.parent_code },
    { purgeSchedule: options.purgeSchedule },
  );
  await db.query(
    `INSERT INTO site_control (site_id, serial, document, changed_by, changed_at, updated_at)
     VALUES ($1, 0, $2, 'setup', now(), now()) ON CONFLICT (site_id) DO NOTHING`,
    [site.id, JSON.stringify(document)],
  );
  const created = await findSiteControl(db, { siteCode: options.siteCode });
  if (!created) throw new Error(`site control of ${options.siteCode} vanished while being created`);
  return created;
}

/** What each serial after `afterSerial` changed (current document and history), oldest first. */
export async function serialRecordsAfter(db: Db, siteControlId: number, afterSerial: number): Promise<SerialRecord[]> {
  const { rows } = await db.query(
    `SELECT serial, changed_by, changed_at, changes FROM site_control WHERE id = $1 AND serial > $2
     UNION ALL
     SELECT serial, changed_by, changed_at, changes FROM site_control_history WHERE site_control_id = $1 AND serial > $2
     ORDER BY serial`,
    [siteControlId, afterSerial],
  );
  return rows.map((r) => ({ serial: r.serial, changedBy: r.changed_by, changedAt: r.changed_at, changes: r.changes ?? [] }));
}

export async function insertDelta(
  db: Db,
  delta: { siteControlId: number; baseSerial: number; changes: Record<string, unknown>; submittedBy: string; comment?: string },
): Promise<DeltaRow> {
  const { rows } = await db.query(
    `INSERT INTO site_control_delta (site_control_id, base_serial, changes, submitted_by, comment)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${deltaColumns}`,
    [delta.siteControlId, delta.baseSerial, JSON.stringify(delta.changes), delta.submittedBy, delta.comment ?? ''],
  );
  return toDelta(rows[0]);
}

export async function findDelta(db: Db, id: number): Promise<DeltaRow | null> {
  const { rows } = await db.query(`SELECT ${deltaColumns} FROM site_control_delta WHERE id = $1`, [id]);
  return rows[0] ? toDelta(rows[0]) : null;
}

/** The newest deltas of a site, newest first: what is in flight and what was refused lately. */
export async function listRecentDeltas(db: Db, siteControlId: number, limit = 20): Promise<DeltaRow[]> {
  const { rows } = await db.query(`SELECT ${deltaColumns} FROM site_control_delta WHERE site_control_id = $1 ORDER BY id DESC LIMIT $2`, [
    siteControlId,
    limit,
  ]);
  return rows.map(toDelta);
}

export interface HistoryEntry {
  serial: number;
  changedBy: string;
  changedAt: Date;
  properties: string[];
  changes: PropertyChange[];
  deltaId: number | null;
  current: boolean;
}

/** The current serial and every kept history serial, newest first (without the documents). */
export async function listHistory(db: Db, siteControlId: number): Promise<HistoryEntry[]> {
  const { rows } = await db.query(
    `SELECT serial, changed_by, changed_at, properties, changes, delta_id, true AS current FROM site_control WHERE id = $1
     UNION ALL
     SELECT serial, changed_by, changed_at, properties, changes, delta_id, false FROM site_control_history WHERE site_control_id = $1
     ORDER BY serial DESC`,
    [siteControlId],
  );
  return rows.map((r) => ({
    serial: r.serial,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
    properties: r.properties ?? [],
    changes: r.changes ?? [],
    deltaId: r.delta_id,
    current: r.current,
  }));
}

/** The document at `serial` (current or from history), or null when history no longer has it. */
export async function findDocumentAtSerial(
  db: Db,
  control: SiteControlRow,
  serial: number,
): Promise<{ serial: number; document: SiteSettings; changedBy: string; changedAt: Date } | null> {
  if (serial === control.serial) return { serial, document: control.document, changedBy: control.changedBy, changedAt: control.changedAt };
  const { rows } = await db.query(`SELECT document, changed_by, changed_at FROM site_control_history WHERE site_control_id = $1 AND serial = $2`, [
    control.id,
    serial,
  ]);
  if (!rows[0]) return null;
  return {
    serial,
    document: readSettingsDocument(rows[0].document, control.document.site),
    changedBy: rows[0].changed_by,
    changedAt: rows[0].changed_at,
  };
}

// ------------------------------------------------------------ the workers' steps

/** Hierarchy Manager's hand-off: every stored delta to Site Control Manager (the trigger wakes it). */
export async function queuePendingDeltas(client: pg.PoolClient): Promise<(DeltaRow & { siteCode: string })[]> {
  const { rows } = await client.query(
    `UPDATE site_control_delta d SET state = 'QUEUED', queued_at = now()
       FROM site_control sc JOIN site s ON s.id = sc.site_id
      WHERE d.state = 'PENDING' AND sc.id = d.site_control_id
      RETURNING ${deltaColumns
        .split(',')
        .map((c) => `d.${c.trim()}`)
        .join(', ')}, s.code AS site_code`,
  );
  return rows.map((r) => ({ ...toDelta(r), siteCode: r.site_code }));
}

/** The site with the oldest delta in `state`, if any (not locked: the caller locks its document first). */
export async function siteControlWithDeltaIn(db: Db, state: DeltaState): Promise<number | null> {
  const { rows } = await db.query(`SELECT site_control_id FROM site_control_delta WHERE state = $1 ORDER BY id LIMIT 1`, [state]);
  return rows[0]?.site_control_id ?? null;
}

/** The oldest delta of a site in `state`, locked; call with the site's document already locked. */
export async function lockOldestDelta(client: pg.PoolClient, siteControlId: number, state: DeltaState): Promise<DeltaRow | null> {
  const { rows } = await client.query(
    `SELECT ${deltaColumns} FROM site_control_delta WHERE site_control_id = $1 AND state = $2 ORDER BY id LIMIT 1 FOR UPDATE`,
    [siteControlId, state],
  );
  return rows[0] ? toDelta(rows[0]) : null;
}

/** The deltas of a site not yet merged into a serial (stored or handed off), oldest first. */
export async function listUnmergedDeltas(client: Db, siteControlId: number): Promise<DeltaRow[]> {
  const { rows } = await client.query(
    `SELECT ${deltaColumns} FROM site_control_delta WHERE site_control_id = $1 AND state IN ('PENDING', 'QUEUED') ORDER BY id`,
    [siteControlId],
  );
  return rows.map(toDelta);
}

/** Every delta of a site in `state`, oldest first, locked. */
export async function lockDeltas(client: pg.PoolClient, siteControlId: number, state: DeltaState): Promise<DeltaRow[]> {
  const { rows } = await client.query(
    `SELECT ${deltaColumns} FROM site_control_delta WHERE site_control_id = $1 AND state = $2 ORDER BY id FOR UPDATE`,
    [siteControlId, state],
  );
  return rows.map(toDelta);
}

/**
 * Site Control Manager's write: the current document to history (kept to HISTORY_LIMIT), the
 * merged one in its place at serial + 1, and the delta marked merged. Returns the new serial.
 */
export async function writeNextSerial(
  client: pg.PoolClient,
  options: { control: SiteControlRow; delta: DeltaRow; document: SiteSettings; changes: PropertyChange[] },
): Promise<{ serial: number; prunedHistory: number }> {
  const { control, delta } = options;
  const serial = control.serial + 1;
  // One statement: history copy, pruning past the limit, the new serial and the delta's state.
  const { rows } = await client.query(
    `WITH kept AS (
       INSERT INTO site_control_history (site_control_id, serial, document, changed_by, changed_at, properties, changes, delta_id)
       SELECT id, serial, document, changed_by, changed_at, properties, changes, delta_id FROM site_control WHERE id = $1
       ON CONFLICT (site_control_id, serial) DO NOTHING
     ), pruned AS (
       DELETE FROM site_control_history WHERE site_control_id = $1 AND serial <= $2 - ${HISTORY_LIMIT} - 1 RETURNING 1
     ), written AS (
       UPDATE site_control SET serial = $2, document = $3, changed_by = $4, changed_at = now(), properties = $5,
              changes = $6, delta_id = $7, updated_at = now()
        WHERE id = $1
     ), merged AS (
       UPDATE site_control_delta SET state = 'MERGED', merged_at = now(), applied_serial = $2 WHERE id = $7
     )
     SELECT (SELECT count(*)::int FROM pruned) AS pruned`,
    [
      control.id,
      serial,
      JSON.stringify(options.document),
      delta.submittedBy,
      options.changes.map((c) => c.path),
      JSON.stringify(options.changes),
      delta.id,
    ],
  );
  return { serial, prunedHistory: rows[0].pruned };
}

export async function rejectDelta(client: pg.PoolClient, options: { id: number; error: string; conflicts?: Conflict[] }): Promise<void> {
  await client.query(`UPDATE site_control_delta SET state = 'REJECTED', error = $2, conflicts = $3 WHERE id = $1`, [
    options.id,
    options.error,
    options.conflicts ? JSON.stringify(options.conflicts) : null,
  ]);
}

export async function markApplied(client: pg.PoolClient, ids: number[]): Promise<void> {
  await client.query(`UPDATE site_control_delta SET state = 'APPLIED', applied_at = now() WHERE id = ANY($1::int[])`, [ids]);
}

/** Serials kept in a site control's history. */
export async function countHistory(db: Db, siteControlId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM site_control_history WHERE site_control_id = $1`, [siteControlId]);
  return rows[0].n;
}

/** Counts of deltas waiting in each state, for the workers' catch-up. */
export async function countDeltasIn(db: Db, state: DeltaState): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM site_control_delta WHERE state = $1`, [state]);
  return rows[0].n;
}

export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

// NOTIFY payloads must stay under 8000 bytes; past that, dependents are told "everything".
const MAX_NOTIFY_BYTES = 7000;

export async function notifyApplied(db: Db, applied: SiteControlApplied): Promise<void> {
  let payload = JSON.stringify(applied);
  if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) payload = JSON.stringify({ ...applied, changedPaths: null });
  await notify(db, channels.siteControlApplied, payload);
}

// ------------------------------------------------------------ the tables the rest of Sitebox reads

/**
 * Carries the document into the site row (name, time zone, parent). Idempotent: rewrites only
 * what differs. Returns whether anything changed.
 */
export async function syncSiteRow(client: pg.PoolClient, control: SiteControlRow): Promise<boolean> {
  const { site } = control.document;
  // The old zone is read under the row lock Status Manager's batches wait on (FOR SHARE), so no
  // batch counts under the old zone once the day counts are rebuilt under the new one.
  const result = await client.query<{ old_zone: string }>(
    `UPDATE site s SET name = $2, time_zone = $3,
            parent_site_id = (SELECT p.id FROM site p WHERE p.code = $4 AND p.id <> s.id), updated_at = now()
       FROM (SELECT id, time_zone AS old_zone FROM site WHERE id = $1 FOR UPDATE) o
      WHERE s.id = $1 AND o.id = s.id
        AND (s.name IS DISTINCT FROM $2 OR s.time_zone IS DISTINCT FROM $3
             OR s.parent_site_id IS DISTINCT FROM (SELECT p.id FROM site p WHERE p.code = $4 AND p.id <> s.id))
      RETURNING o.old_zone`,
    [control.siteId, site.name, site.timeZone, site.parentSiteCode],
  );
  const oldZone = result.rows[0]?.old_zone;
  if (oldZone !== undefined && oldZone !== site.timeZone) {
    await rebuildDayCounts(client, { siteId: control.siteId, oldTimeZone: oldZone, timeZone: site.timeZone });
  }
  return (result.rowCount ?? 0) > 0;
}

/**
 * Carries the Component Status Summarizer's thresholds into summarizer_threshold's site-wide rows
 * (no site, component or message ID), where the summarizers read them.
 */
export async function syncComponentThresholds(client: pg.PoolClient, settings: SiteSettings): Promise<void> {
  const t = settings.summarizers.componentStatus;
  const rows = [
    ['INFORMATIONAL', t.informational],
    ['WARNING', t.warning],
    ['ERROR', t.error],
  ] as const;
  for (const [severity, { warningAt, criticalAt }] of rows) {
    const updated = await client.query(
      `UPDATE summarizer_threshold SET warning_at = $2, critical_at = $3, updated_at = now()
        WHERE summarizer = 'COMPONENT' AND severity = $1 AND site_code IS NULL AND component IS NULL AND message_id IS NULL`,
      [severity, warningAt, criticalAt],
    );
    if (!updated.rowCount) {
      await client.query(
        `INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at) VALUES ('COMPONENT', $1, $2, $3, now())`,
        [severity, warningAt, criticalAt],
      );
    }
  }
}

/** Every site's id with its raw document (null before it has one). */
export async function findEverySiteControl(db: Db): Promise<Map<number, unknown>> {
  const { rows } = await db.query(`SELECT s.id AS site_id, sc.document FROM site s LEFT JOIN site_control sc ON sc.site_id = s.id`);
  return new Map(rows.map((r) => [r.site_id as number, r.document as unknown]));
}
