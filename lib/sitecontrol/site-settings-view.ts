import type pg from 'pg';
import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import { diffDocuments, fixedPaths, type PropertyChange } from './document-paths';
import {
  ensureSiteControl,
  findDelta,
  findDocumentAtSerial,
  findSiteControl,
  listHistory,
  listRecentDeltas,
  type DeltaRow,
  type SiteControlRow,
} from './repo';
import { serialName } from './serial-name';
import type { SiteSettings } from './site-control.schema';

// What the console reads: the current document with what is on its way, history, diffs and
// any serial's document. Plain JSON out (dates as ISO strings).

export interface DeltaView {
  id: number;
  state: DeltaRow['state'];
  baseSerial: number;
  changes: Record<string, unknown>;
  comment: string;
  submittedBy: string;
  submittedAt: string;
  appliedSerial: number | null;
  error: string | null;
  conflicts: DeltaRow['conflicts'];
}

export function deltaView(d: DeltaRow): DeltaView {
  return {
    id: d.id,
    state: d.state,
    baseSerial: d.baseSerial,
    changes: d.changes,
    comment: d.comment,
    submittedBy: d.submittedBy,
    submittedAt: d.submittedAt.toISOString(),
    appliedSerial: d.appliedSerial,
    error: d.error,
    conflicts: d.conflicts,
  };
}

export interface SiteSettingsView {
  siteCode: string;
  serial: number;
  serialName: string;
  changedBy: string;
  changedAt: string;
  settings: SiteSettings;
  /** The latest changes, newest first: those still on their way and those refused lately. */
  recentChanges: DeltaView[];
}

async function controlOrThrow(db: pg.Pool | pg.PoolClient, siteCode: string): Promise<SiteControlRow> {
  return ensureSiteControl(db, { siteCode, purgeSchedule: config().SITEBOX_STATUS_PURGE_SCHEDULE });
}

export async function readSiteSettingsView(options: { siteCode?: string; db?: pg.Pool } = {}): Promise<SiteSettingsView> {
  const db = options.db ?? pool();
  const control = await controlOrThrow(db, options.siteCode ?? config().SITEBOX_SITE_CODE);
  const recent = await listRecentDeltas(db, control.id, 10);
  return {
    siteCode: control.siteCode,
    serial: control.serial,
    serialName: serialName(control.serial),
    changedBy: control.changedBy,
    changedAt: control.changedAt.toISOString(),
    settings: control.document,
    recentChanges: recent.map(deltaView),
  };
}

export async function readDelta(options: { id: number; siteCode?: string; db?: pg.Pool }): Promise<DeltaView> {
  const db = options.db ?? pool();
  const control = await findSiteControl(db, { siteCode: options.siteCode ?? config().SITEBOX_SITE_CODE });
  const delta = await findDelta(db, options.id);
  if (!control || !delta || delta.siteControlId !== control.id) {
    throw new AppError('NOT_FOUND', { userMessage: `Settings change ${options.id} was not found.` });
  }
  return deltaView(delta);
}

export interface HistoryEntryView {
  serial: number;
  serialName: string;
  changedBy: string;
  changedAt: string;
  properties: string[];
  changes: PropertyChange[];
  current: boolean;
}

/** The current serial and the last 100 before it, newest first. */
export async function readSiteControlHistory(
  options: { siteCode?: string; db?: pg.Pool } = {},
): Promise<{ siteCode: string; entries: HistoryEntryView[] }> {
  const db = options.db ?? pool();
  const control = await controlOrThrow(db, options.siteCode ?? config().SITEBOX_SITE_CODE);
  const entries = await listHistory(db, control.id);
  return {
    siteCode: control.siteCode,
    entries: entries.map((e) => ({
      serial: e.serial,
      serialName: serialName(e.serial),
      changedBy: e.changedBy,
      changedAt: e.changedAt.toISOString(),
      properties: e.properties,
      changes: e.changes,
      current: e.current,
    })),
  };
}

export interface SerialDocument {
  siteCode: string;
  serial: number;
  serialName: string;
  changedBy: string;
  changedAt: string;
  settings: SiteSettings;
}

/**
 * The document at `serial` (default: current); 404 naming `field` for a serial not made yet, and
 * once history no longer keeps it.
 */
export async function readSiteControlAtSerial(options: {
  serial?: number;
  siteCode?: string;
  db?: pg.Pool;
  field?: string;
}): Promise<SerialDocument> {
  const db = options.db ?? pool();
  const control = await controlOrThrow(db, options.siteCode ?? config().SITEBOX_SITE_CODE);
  const serial = options.serial ?? control.serial;
  if (serial > control.serial)
    throw new AppError('NOT_FOUND', {
      userMessage: `Serial ${serialName(serial)} does not exist yet (the current one is ${serialName(control.serial)}).`,
      details: { fields: [{ path: options.field ?? 'serial', message: 'does not exist yet' }] },
    });
  const found = await findDocumentAtSerial(db, control, serial);
  if (!found) throw new AppError('NOT_FOUND', { userMessage: `Serial ${serialName(serial)} is not in the history kept (the last 100).` });
  return {
    siteCode: control.siteCode,
    serial,
    serialName: serialName(serial),
    changedBy: found.changedBy,
    changedAt: found.changedAt.toISOString(),
    settings: found.document,
  };
}

/** Every setting that differs between two serials. */
export async function diffSiteControlSerials(options: { from: number; to: number; siteCode?: string; db?: pg.Pool }) {
  const [from, to] = await Promise.all([
    readSiteControlAtSerial({ ...options, serial: options.from, field: 'from' }),
    readSiteControlAtSerial({ ...options, serial: options.to, field: 'to' }),
  ]);
  return {
    from: { serial: from.serial, serialName: from.serialName, changedBy: from.changedBy, changedAt: from.changedAt },
    to: { serial: to.serial, serialName: to.serialName, changedBy: to.changedBy, changedAt: to.changedAt },
    changes: diffDocuments(from.settings, to.settings),
  };
}

/** What restoring `settings` would change in `current`: every setting that differs, except the fixed ones. */
export function restoreChanges(current: SiteSettings, settings: SiteSettings): Record<string, unknown> {
  return Object.fromEntries(
    diffDocuments(current, settings)
      .filter((c) => !fixedPaths.has(c.path))
      .map((c) => [c.path, c.after]),
  );
}
