import { diffDocuments, overlaps, setAt, type PropertyChange } from './document-paths';
import type { Conflict } from './site-control-change.schema';
import { siteControlDocumentSchema, type SiteSettings } from './site-control.schema';

/** What one serial changed, by whom and when: enough to explain a conflict. */
export interface SerialRecord {
  serial: number;
  changedBy: string;
  changedAt: Date;
  changes: PropertyChange[];
}

export type MergeResult =
  | { outcome: 'merged'; document: SiteSettings; changes: PropertyChange[] }
  /** A property the change sets moved after its base serial. */
  | { outcome: 'conflict'; conflicts: Conflict[] }
  /** The merged document breaks a rule; `fields` are by setting path. */
  | { outcome: 'invalid'; fields: { path: string; message: string }[] }
  /** The base serial is older than the history kept, so conflicts cannot be ruled out. */
  | { outcome: 'outdated' };

/**
 * The other changes that moved any of `paths` after `baseSerial`, oldest first; 'outdated'
 * when `since` (the records of serials after the base) does not reach back to the base.
 */
export function findConflicts(options: {
  baseSerial: number;
  currentSerial: number;
  paths: readonly string[];
  since: readonly SerialRecord[];
}): Conflict[] | 'outdated' {
  const bySerial = new Map(options.since.map((r) => [r.serial, r]));
  const conflicts: Conflict[] = [];
  for (let serial = options.baseSerial + 1; serial <= options.currentSerial; serial++) {
    const record = bySerial.get(serial);
    if (!record) return 'outdated';
    for (const change of record.changes) {
      if (!options.paths.some((p) => overlaps(p, change.path))) continue;
      conflicts.push({
        path: change.path,
        serial,
        deltaId: null,
        changedBy: record.changedBy,
        changedAt: record.changedAt.toISOString(),
        before: change.before,
        after: change.after,
      });
    }
  }
  return conflicts;
}

/**
 * Merges a delta made from `baseSerial` into the current document. Properties are merged one by
 * one: a change to a property nobody touched since the base applies even if others moved; a
 * change to a property that moved is refused with the other change; the result must be a valid
 * document as a whole. `current.document` is taken as is (read it with readSettingsDocument).
 */
export function mergeDelta(options: {
  current: { serial: number; document: SiteSettings };
  baseSerial: number;
  changes: Readonly<Record<string, unknown>>;
  since: readonly SerialRecord[];
}): MergeResult {
  const paths = Object.keys(options.changes);
  const conflicts = findConflicts({ baseSerial: options.baseSerial, currentSerial: options.current.serial, paths, since: options.since });
  if (conflicts === 'outdated') return { outcome: 'outdated' };
  if (conflicts.length) return { outcome: 'conflict', conflicts };

  let merged: unknown = options.current.document;
  for (const path of paths) merged = setAt(merged, path, options.changes[path]);
  const parsed = siteControlDocumentSchema.safeParse(merged);
  if (!parsed.success) {
    return { outcome: 'invalid', fields: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
  }
  return { outcome: 'merged', document: parsed.data, changes: diffDocuments(options.current.document, parsed.data) };
}
