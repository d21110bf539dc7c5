import { z } from 'zod';
import { int4, INT4_MAX, int4IdParam, wholeNumberParam } from '../validation/primitives';
import { DIRECTION_CONTROLS, directionControlsMessage } from '../validation/site-name';
import { fixedPaths, settingLeaves } from './document-paths';
import { cronNeverMessage, cronPattern, cronPatternMessage, cronPatternOccurs, isFiveFieldCronPattern } from './site-control.schema';

const serial = z.number({ error: 'must be a serial number' }).int('must be a whole number').min(0).max(INT4_MAX);
const serialParam = wholeNumberParam(0, INT4_MAX);
const lineBreakMessage = 'must hold one value per line: a value with a line break cannot be edited';

/**
 * What an administrator changes: the new value of each changed setting, by path. Each value is
 * checked against its setting's schema; errors name the path, so a form can show them by field.
 */
export const settingChangesSchema = z.record(z.string(), z.unknown()).transform((changes, ctx) => {
  const parsed: Record<string, unknown> = {};
  const paths = Object.keys(changes);
  if (!paths.length) ctx.issues.push({ code: 'custom', message: 'names no setting to change', input: changes });
  if (paths.length > settingLeaves.size) ctx.issues.push({ code: 'custom', message: 'names too many settings', input: changes });
  for (const path of paths.slice(0, settingLeaves.size + 1)) {
    const leaf = settingLeaves.get(path);
    if (!leaf || fixedPaths.has(path)) {
      ctx.issues.push({ code: 'custom', path: [path], message: leaf ? 'cannot be changed' : 'is not a site setting', input: changes[path] });
      continue;
    }
    const result = leaf.safeParse(changes[path]);
    // A stored document keeps any schedule croner reads, as it did when it was stored (a section
    // that no longer validated would be read as its defaults); a change sets five fields only.
    if (result.success && leaf === cronPattern && !isFiveFieldCronPattern(result.data as string))
      ctx.issues.push({ code: 'custom', path: [path], message: cronPatternMessage, input: changes[path] });
    // A schedule no date matches would leave its purge or heartbeat never run, with nothing to say so.
    else if (result.success && leaf === cronPattern && !cronPatternOccurs(result.data as string))
      ctx.issues.push({ code: 'custom', path: [path], message: cronNeverMessage, input: changes[path] });
    // A list is edited one value per line: a value holding a line break would come back from the
    // form split in two, refused, and block every later apply of the page.
    else if (result.success && Array.isArray(result.data) && result.data.some((v) => typeof v === 'string' && /[\r\n]/.test(v)))
      ctx.issues.push({ code: 'custom', path: [path], message: lineBreakMessage, input: changes[path] });
    // The name is shown among other text, here and at the parent; a stored one is read as it was.
    else if (result.success && path === 'site.name' && DIRECTION_CONTROLS.test(result.data as string))
      ctx.issues.push({ code: 'custom', path: [path], message: directionControlsMessage, input: changes[path] });
    else if (result.success) parsed[path] = result.data;
    else ctx.issues.push({ code: 'custom', path: [path], message: result.error.issues[0]?.message ?? 'is not valid', input: changes[path] });
  }
  return parsed;
});
export type SettingChanges = z.infer<typeof settingChangesSchema>;

/** POST /api/site-settings/changes: a change made from the document at `baseSerial`. */
export const submitChangeSchema = z.object({
  baseSerial: serial,
  changes: settingChangesSchema,
});

/** POST /api/site-settings/restore: bring back the settings of `serial`, as a new change. */
export const restoreSchema = z.object({ serial, baseSerial: serial });

export const serialParamsSchema = z.object({ serial: serialParam });
export const deltaParamsSchema = z.object({ id: int4IdParam() });

export const diffQuerySchema = z.object({ from: serialParam, to: serialParam });
export const documentQuerySchema = z.object({ serial: serialParam.optional() });

export const deltaStateSchema = z.enum(['PENDING', 'QUEUED', 'MERGED', 'APPLIED', 'REJECTED']);
export type DeltaState = z.infer<typeof deltaStateSchema>;

/**
 * Another change that moved a property since the serial a refused change was made from: one
 * already in effect (`serial`), or one still on its way (`deltaId`, serial null).
 */
export const conflictSchema = z.object({
  path: z.string(),
  serial: z.number().nullable(),
  deltaId: z.number().nullable(),
  changedBy: z.string(),
  changedAt: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type Conflict = z.infer<typeof conflictSchema>;

/**
 * NOTIFY sitebox_site_control_applied: serial `serial` of site `siteCode` is in effect, having
 * changed `changedPaths` (null: treat everything as changed). Components re-read the settings.
 */
export const siteControlAppliedSchema = z.object({
  siteCode: z.string(),
  serial: int4(0),
  changedPaths: z.array(z.string()).nullable(),
});
export type SiteControlApplied = z.infer<typeof siteControlAppliedSchema>;

/** NOTIFY sitebox_site_control_delta (from the trigger) and the console's `siteControl:delta` event. */
export const deltaEventSchema = z.object({
  id: int4(0),
  siteControlId: int4(0),
  state: deltaStateSchema,
  appliedSerial: int4(0).nullable(),
});
export type DeltaEvent = z.infer<typeof deltaEventSchema>;
