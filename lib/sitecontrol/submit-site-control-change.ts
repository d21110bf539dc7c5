import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { reportAudit } from '../audit/report-audit';
import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import { diffDocuments, getAt, overlaps, sameValue, setAt, type PropertyChange } from './document-paths';
import { findConflicts } from './merge-delta';
import { ensureSiteControl, findSiteControl, insertDelta, listUnmergedDeltas, serialRecordsAfter, type DeltaRow } from './repo';
import { serialName } from './serial-name';
import type { Conflict, SettingChanges } from './site-control-change.schema';
import { siteControlDocumentSchema } from './site-control.schema';
import { settingLabel } from './site-settings-fields';

export interface SubmittedChange {
  delta: DeltaRow;
  /** Each property the change moves, from the current document's value. */
  changes: PropertyChange[];
}

/**
 * The provider's part of the change flow: checks a change made from `baseSerial` against the
 * current document and the changes still on their way, and stores it as a delta for Hierarchy
 * Manager (the trigger wakes it). Refuses, with the other change, a property that moved after
 * the base serial or that a change still in flight moves (409); refuses a result that breaks a
 * rule, naming the field (400). The audit message commits with the delta.
 */
export async function submitSiteControlChange(options: {
  actor: Actor;
  baseSerial: number;
  changes: SettingChanges;
  comment?: string;
  siteCode?: string;
  db?: pg.Pool;
}): Promise<SubmittedChange> {
  const db = options.db ?? pool();
  const siteCode = options.siteCode ?? config().SITEBOX_SITE_CODE;
  // Checked first without the lock, so a refusal (the common answer under contention) never
  // queues behind the changes that do go through; then again, authoritatively, under it.
  await checkChange(db, { siteCode, baseSerial: options.baseSerial, changes: options.changes, lock: false });
  return inTransaction(db, async (client) => {
    const { control, expected, effective, merged } = await checkChange(client, {
      siteCode,
      baseSerial: options.baseSerial,
      changes: options.changes,
      lock: true,
    });
    const delta = await insertDelta(client, {
      siteControlId: control.id,
      baseSerial: options.baseSerial,
      changes: effective,
      submittedBy: options.actor.principal.userName,
      comment: options.comment,
    });
    const changes = diffDocuments(expected, merged);
    await reportAudit(
      {
        kind: 'modified',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'SiteControl',
        objectName: auditObjectName(siteCode, changes, options.comment),
        oldValue: Object.fromEntries(changes.map((c) => [c.path, c.before])),
        newValue: Object.fromEntries(changes.map((c) => [c.path, c.after])),
        siteCode,
      },
      client,
    );
    return { delta, changes };
  });
}

/**
 * The provider's check of a change against the current image and the changes in flight: what
 * the document will be without and with it, and the properties it really moves. Throws the
 * 409 or 400 the change deserves. `lock` takes the site's row for the caller's transaction.
 */
async function checkChange(db: pg.Pool | pg.PoolClient, options: { siteCode: string; baseSerial: number; changes: SettingChanges; lock: boolean }) {
  const { siteCode } = options;
  // One change at a time per site is checked and stored: the row lock orders them.
  const control =
    (await findSiteControl(db, { siteCode }, { lock: options.lock })) ??
    // First change of a site nobody has read yet: setup's serial 0 first (outside the lock; the check runs again under it).
    (options.lock ? null : await ensureSiteControl(db, { siteCode, purgeSchedule: config().SITEBOX_STATUS_PURGE_SCHEDULE }));
  if (!control) throw new AppError('NOT_FOUND', { userMessage: `Site ${siteCode} has no site control document.` });
  if (options.baseSerial > control.serial) {
    throw new AppError('BAD_REQUEST', {
      userMessage: `Serial ${serialName(options.baseSerial)} does not exist yet; the current serial is ${serialName(control.serial)}.`,
      details: { fields: [{ path: 'baseSerial', message: 'is newer than the current serial' }] },
    });
  }
  const paths = Object.keys(options.changes);
  const since = await serialRecordsAfter(db, control.id, options.baseSerial);
  const moved = findConflicts({ baseSerial: options.baseSerial, currentSerial: control.serial, paths, since });
  if (moved === 'outdated') {
    throw new AppError('CONFLICT', {
      userMessage: `Serial ${serialName(options.baseSerial)} is older than the history kept; reload the settings and make the change again.`,
      details: { currentSerial: control.serial, conflicts: [] },
    });
  }
  const inFlight = await listUnmergedDeltas(db, control.id);
  const conflicts: Conflict[] = [...moved, ...inFlightConflicts(inFlight, paths, control.document)];
  if (conflicts.length) {
    throw new AppError('CONFLICT', {
      userMessage: describeConflicts(conflicts),
      details: { currentSerial: control.serial, conflicts },
    });
  }

  // What the document will be once everything already on its way and this change apply.
  let expected: unknown = control.document;
  for (const delta of inFlight) for (const [path, value] of Object.entries(delta.changes)) expected = setAt(expected, path, value);
  const effective: Record<string, unknown> = {};
  for (const path of paths) {
    if (!sameValue(getAt(expected, path), options.changes[path])) effective[path] = options.changes[path];
  }
  if (!Object.keys(effective).length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The change sets every property to the value it already has.',
      details: { fields: [] },
    });
  }
  let merged: unknown = expected;
  for (const [path, value] of Object.entries(effective)) merged = setAt(merged, path, value);
  const parsed = siteControlDocumentSchema.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new AppError('BAD_REQUEST', {
      userMessage: `${settingLabel(fields[0].path)}: ${fields[0].message}`,
      details: { fields },
    });
  }

  return { control, expected, effective, merged: parsed.data };
}

/** "S01: clientAgent.policyPollingMinutes, components.notificationServer.port" (what the viewer's description names). */
function auditObjectName(siteCode: string, changes: PropertyChange[], comment?: string): string {
  const names = changes.map((c) => c.path);
  const listed = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  return `${siteCode}${comment ? ` (${comment})` : ''}: ${listed}`;
}

function inFlightConflicts(deltas: readonly DeltaRow[], paths: readonly string[], current: unknown): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const delta of deltas) {
    for (const [path, after] of Object.entries(delta.changes)) {
      if (!paths.some((p) => overlaps(p, path))) continue;
      conflicts.push({
        path,
        serial: null,
        deltaId: delta.id,
        changedBy: delta.submittedBy,
        changedAt: delta.submittedAt.toISOString(),
        before: getAt(current, path) ?? null,
        after,
      });
    }
  }
  return conflicts;
}

/** The 409's message: who moved which property, to what, and in which serial. */
export function describeConflicts(conflicts: readonly Conflict[]): string {
  const parts = conflicts.slice(0, 3).map((c) => {
    const where = c.serial === null ? `in change ${c.deltaId}, not yet applied` : `in serial ${serialName(c.serial)}`;
    return `${c.changedBy} changed ${settingLabel(c.path)} from ${JSON.stringify(c.before)} to ${JSON.stringify(c.after)} ${where}`;
  });
  const more = conflicts.length > 3 ? ` (and ${conflicts.length - 3} more)` : '';
  return `Another change moved what you edited: ${parts.join('; ')}${more}. Reload the settings and make the change again.`;
}
