import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { mergeDelta } from './merge-delta';
import {
  countHistory,
  findSiteControl,
  HISTORY_LIMIT,
  lockOldestDelta,
  rejectDelta,
  serialRecordsAfter,
  siteControlWithDeltaIn,
  writeNextSerial,
} from './repo';
import { serialName } from './serial-name';
import { describeConflicts } from './submit-site-control-change';
import { settingLabel } from './site-settings-fields';

export const SITE_CONTROL_MANAGER_COMPONENT = 'SMS_SITE_CONTROL_MANAGER';

export interface MergeOutcome {
  merged: number;
  rejected: number;
}

/**
 * Site Control Manager's step: for each queued delta, oldest first, one transaction copies the
 * current document to history (keeping the last 100), merges the delta, writes the result as
 * serial + 1 and hands it back to Hierarchy Manager (MERGED wakes it through the trigger) — or
 * refuses it (REJECTED) when a property it sets moved since its base serial or the result
 * breaks a rule. The status message commits with the step, so each delta is reported once.
 */
export async function mergeQueuedDeltas(options: { db: pg.Pool; limit?: number }): Promise<MergeOutcome> {
  const outcome: MergeOutcome = { merged: 0, rejected: 0 };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  while (outcome.merged + outcome.rejected < limit) {
    const siteControlId = await siteControlWithDeltaIn(options.db, 'QUEUED');
    if (siteControlId === null) break;
    const step = await inTransaction(options.db, async (client) => {
      const control = await findSiteControl(client, { id: siteControlId }, { lock: true });
      if (!control) return null;
      const delta = await lockOldestDelta(client, siteControlId, 'QUEUED');
      if (!delta) return null;
      const since = await serialRecordsAfter(client, control.id, delta.baseSerial);
      const result = mergeDelta({ current: control, baseSerial: delta.baseSerial, changes: delta.changes, since });
      const report = (messageId: number, insertionStrings: string[], properties: Record<string, string> = {}) =>
        reportServerMessage({
          db: client,
          messages: serverMessage({
            messageId,
            component: SITE_CONTROL_MANAGER_COMPONENT,
            siteCode: control.siteCode,
            insertionStrings,
            properties: { DeltaId: String(delta.id), ...properties },
          }),
        });

      let error: string | null = null;
      if (result.outcome === 'merged' && !result.changes.length) error = 'it sets every property to the value it already has';
      if (result.outcome === 'outdated') error = `its base serial ${serialName(delta.baseSerial)} is older than the history kept`;
      if (result.outcome === 'invalid') error = result.fields.map((f) => `${settingLabel(f.path)} ${f.message}`).join('; ');
      if (result.outcome === 'conflict') error = describeConflicts(result.conflicts);
      if (error !== null || result.outcome !== 'merged') {
        await rejectDelta(client, {
          id: delta.id,
          error: error ?? 'refused',
          conflicts: result.outcome === 'conflict' ? result.conflicts : undefined,
        });
        await report(statusMessageIds.siteControlDeltaRejected, [delta.submittedBy, control.siteCode, error ?? 'refused']);
        return 'rejected' as const;
      }
      const written = await writeNextSerial(client, { control, delta, document: result.document, changes: result.changes });
      const paths = result.changes.map((c) => c.path);
      await report(
        statusMessageIds.siteControlDeltaApplied,
        [delta.submittedBy, control.siteCode, serialName(written.serial), String(delta.id), paths.join(', '), serialName(control.serial)],
        { Serial: serialName(written.serial) },
      );
      return 'merged' as const;
    });
    if (step === null) continue;
    outcome[step]++;
  }
  return outcome;
}

/** The heartbeat: reports the serial and history kept (Hierarchy Manager then checks the tables). */
export async function reportSiteControlHeartbeat(options: { db: pg.Pool; siteCode: string }): Promise<{ serial: number; history: number } | null> {
  const control = await findSiteControl(options.db, { siteCode: options.siteCode });
  if (!control) return null;
  const history = Math.min(await countHistory(options.db, control.id), HISTORY_LIMIT);
  await reportServerMessage({
    messages: serverMessage({
      messageId: statusMessageIds.siteControlHeartbeat,
      component: SITE_CONTROL_MANAGER_COMPONENT,
      siteCode: control.siteCode,
      insertionStrings: [control.siteCode, serialName(control.serial), String(history)],
    }),
  });
  return { serial: control.serial, history };
}
