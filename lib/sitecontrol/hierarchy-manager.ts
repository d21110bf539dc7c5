import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import {
  findSiteControl,
  lockDeltas,
  markApplied,
  notifyApplied,
  queuePendingDeltas,
  siteControlWithDeltaIn,
  syncComponentThresholds,
  syncSiteRow,
} from './repo';
import { serialName } from './serial-name';

// Hierarchy Manager's two steps of the change flow, each one transaction that moves the deltas
// it takes to their next state together with the status message that says so: a step killed
// half-way leaves nothing behind, and a step run twice finds nothing left to do.

export const HIERARCHY_MANAGER_COMPONENT = 'SMS_HIERARCHY_MANAGER';

const list = (paths: readonly string[]) => (paths.length > 8 ? `${paths.slice(0, 8).join(', ')} and ${paths.length - 8} more` : paths.join(', '));

/** Every stored delta of every site to Site Control Manager (QUEUED wakes it through the trigger). */
export async function handOffPendingDeltas(options: { db: pg.Pool }): Promise<number> {
  // Most wake-ups are for merged deltas: one cheap look before a transaction.
  if ((await siteControlWithDeltaIn(options.db, 'PENDING')) === null) return 0;
  return inTransaction(options.db, async (client) => {
    const queued = await queuePendingDeltas(client);
    if (queued.length) {
      await reportServerMessage({
        db: client,
        messages: queued.map((d) =>
          serverMessage({
            messageId: statusMessageIds.siteControlChangeHandedOff,
            component: HIERARCHY_MANAGER_COMPONENT,
            siteCode: d.siteCode,
            insertionStrings: [String(d.id), d.submittedBy, d.siteCode, serialName(d.baseSerial)],
            properties: { DeltaId: String(d.id), BaseSerial: serialName(d.baseSerial) },
          }),
        ),
      });
    }
    return queued.length;
  });
}

/**
 * For each site with merged deltas: carries the new document into the tables the rest of
 * Sitebox reads, marks the deltas applied and tells the components that depend on the changed
 * settings (NOTIFY sitebox_site_control_applied, delivered when this commits).
 */
export async function applyMergedDeltas(options: { db: pg.Pool }): Promise<{ applied: number; serials: number[] }> {
  let applied = 0;
  const serials: number[] = [];
  for (;;) {
    const siteControlId = await siteControlWithDeltaIn(options.db, 'MERGED');
    if (siteControlId === null) return { applied, serials };
    const done = await inTransaction(options.db, async (client) => {
      // The merged deltas are locked, not the document: Site Control Manager and the console go on
      // meanwhile. Read after the lock, the document is at least as new as every delta taken.
      const deltas = await lockDeltas(client, siteControlId, 'MERGED');
      if (!deltas.length) return 0;
      const control = await findSiteControl(client, { id: siteControlId });
      if (!control) return 0;
      const changedPaths = [...new Set(deltas.flatMap((d) => Object.keys(d.changes)))];
      // Only the tables a change touches (the cycle's reconcileSiteTables checks them all).
      if (changedPaths.some((p) => p.startsWith('site.'))) await syncSiteRow(client, control);
      if (changedPaths.some((p) => p.startsWith('summarizers.componentStatus.'))) await syncComponentThresholds(client, control.document);
      await markApplied(
        client,
        deltas.map((d) => d.id),
      );
      await notifyApplied(client, { siteCode: control.siteCode, serial: control.serial, changedPaths });
      await reportServerMessage({
        db: client,
        messages: deltas.map((d) =>
          serverMessage({
            messageId: statusMessageIds.siteControlChangeApplied,
            component: HIERARCHY_MANAGER_COMPONENT,
            siteCode: control.siteCode,
            insertionStrings: [serialName(d.appliedSerial ?? control.serial), control.siteCode, String(d.id), list(Object.keys(d.changes))],
            properties: { DeltaId: String(d.id), Serial: serialName(d.appliedSerial ?? control.serial) },
          }),
        ),
      });
      serials.push(control.serial);
      return deltas.length;
    });
    applied += done;
    if (!done) return { applied, serials };
  }
}

/**
 * The cycle's check: the site row matches the current document (a change made to it outside
 * the flow is put back), reported when anything had to be updated.
 */
export async function reconcileSiteTables(options: { db: pg.Pool; siteCode: string }): Promise<boolean> {
  return inTransaction(options.db, async (client) => {
    const control = await findSiteControl(client, { siteCode: options.siteCode }, { lock: true });
    if (!control) return false;
    const changed = await syncSiteRow(client, control);
    await syncComponentThresholds(client, control.document);
    if (changed) {
      await reportServerMessage({
        db: client,
        messages: serverMessage({
          messageId: statusMessageIds.siteControlTablesUpdated,
          component: HIERARCHY_MANAGER_COMPONENT,
          siteCode: control.siteCode,
          insertionStrings: [serialName(control.serial), control.siteCode],
        }),
      });
    }
    return changed;
  });
}
