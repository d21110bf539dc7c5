import type pg from 'pg';
import { config } from '../config';
import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import { serialName } from './serial-name';
import { settingChangesSchema } from './site-control-change.schema';
import { settingLabel } from './site-settings-fields';
import { readSiteControlAtSerial, restoreChanges } from './site-settings-view';
import { submitSiteControlChange, type SubmittedChange } from './submit-site-control-change';

/**
 * "Restore this version": a new change, made from `baseSerial`, that sets every setting back to
 * its value in `serial`. It goes through the flow like any edit (history, conflicts, audit).
 */
export async function restoreSiteControlSerial(options: {
  actor: Actor;
  serial: number;
  baseSerial: number;
  siteCode?: string;
  db?: pg.Pool;
}): Promise<SubmittedChange> {
  const siteCode = options.siteCode ?? config().SITEBOX_SITE_CODE;
  const [old, base] = await Promise.all([
    readSiteControlAtSerial({ serial: options.serial, siteCode, db: options.db, field: 'serial' }),
    readSiteControlAtSerial({ serial: options.baseSerial, siteCode, db: options.db, field: 'baseSerial' }),
  ]);
  const changes = restoreChanges(base.settings, old.settings);
  if (!Object.keys(changes).length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: `Serial ${serialName(options.serial)} has the same settings as serial ${serialName(options.baseSerial)}.`,
    });
  }
  // An old serial may hold a value the settings no longer take (one stored before a rule was
  // tightened): restoring it would bring back what an edit is refused.
  const checked = settingChangesSchema.safeParse(changes);
  if (!checked.success) {
    const fields = checked.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new AppError('BAD_REQUEST', {
      userMessage: `Serial ${serialName(options.serial)} holds a value the settings no longer take: ${fields.map((f) => `${settingLabel(f.path)} ${f.message}`).join('; ')}.`,
      details: { fields },
    });
  }
  return submitSiteControlChange({
    actor: options.actor,
    baseSerial: options.baseSerial,
    changes,
    comment: `Restore serial ${serialName(options.serial)}`,
    siteCode,
    db: options.db,
  });
}
