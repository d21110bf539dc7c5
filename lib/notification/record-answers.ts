import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { isolateFailures } from '../quarantine/isolate-failures';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import type { OperationResult } from '../protocol/agent-protocol.schema';
import { materializeOperationTargets } from './materialize-operation-targets';
import { recordPresence } from './presence-repo';
import * as repo from './repo';

const component = 'SMS_NOTIFICATION_SERVER';
/** Deliveries, results and presence in the quarantine: each keyed by operation and device (or device). */
export const DELIVERIES_QUARANTINE: QuarantineSource = { name: 'notification.deliveries', component };
export const RESULTS_QUARANTINE: QuarantineSource = { name: 'notification.results', component };
export const PRESENCE_QUARANTINE: QuarantineSource = { name: 'notification.presence', component };

export interface PendingDelivery {
  operationId: number;
  deviceId: number;
  at: Date;
}

export interface PendingResult {
  deviceId: number;
  result: OperationResult;
  receivedAt: Date;
}

export type PresenceChange =
  { kind: 'connected'; deviceId: number; at: Date } | { kind: 'disconnected'; deviceId: number } | { kind: 'seen'; deviceId: number };

const operationIds = (items: readonly { operationId: number }[]) => [...new Set(items.map((i) => i.operationId))];
const liveQueryOperationIds = (results: readonly PendingResult[]) =>
  operationIds(results.map((r) => r.result).filter((r) => r.detail.liveQuery?.rows.length));

/**
 * Records one flush of deliveries and of results, each in one batch. An answer that cannot be
 * recorded on its own (an operation id out of range, a result the database refuses) is set
 * aside in quarantine with an Error status message and the rest is recorded; a transient failure
 * throws, with nothing of that batch recorded. Returns the operations whose counts changed and
 * the results set aside (kept, so their agents need not send them again).
 */
export async function recordAnswers(options: {
  db: pg.Pool;
  deliveries: readonly PendingDelivery[];
  results: readonly PendingResult[];
}): Promise<{ changed: Set<number>; deliveriesQuarantined: PendingDelivery[]; resultsQuarantined: PendingResult[] }> {
  const { db } = options;
  const changed = new Set<number>();
  // Answers can come back before anyone wrote the operation's target rows: each part writes them first.
  // Results first: they are what the console waits for, and a delivery never overwrites one.
  const results = await isolateFailures({
    items: options.results,
    run: async (items) => {
      await materializeOperationTargets({ db, operationIds: operationIds(items.map((r) => r.result)) });
      const rows = items.map((r) => ({
        operationId: r.result.operationId,
        deviceId: r.deviceId,
        outcome: r.result.outcome,
        detail: r.result.detail,
        completedAt: new Date(r.result.completedAt),
        receivedAt: r.receivedAt,
      }));
      const live = liveQueryOperationIds(items);
      if (!live.length) return repo.recordResults(db, rows);
      return inTransaction(db, async (client) => {
        await repo.lockLiveQueryRowOrder(client, live);
        return repo.recordResults(client, rows);
      });
    },
    onPoison: async (item, error) => {
      await quarantineItem({ source: RESULTS_QUARANTINE, itemKey: `${item.result.operationId}:${item.deviceId}`, item, error, db });
    },
  });
  const deliveries = await isolateFailures({
    items: options.deliveries,
    run: async (items) => {
      await materializeOperationTargets({ db, operationIds: operationIds(items) });
      return repo.recordDeliveries(db, [...items]);
    },
    onPoison: async (item, error) => {
      await quarantineItem({ source: DELIVERIES_QUARANTINE, itemKey: `${item.operationId}:${item.deviceId}`, item, error, db });
    },
  });
  for (const ids of [...deliveries.results, ...results.results]) for (const id of ids) changed.add(id);
  return {
    changed,
    deliveriesQuarantined: deliveries.poisoned.map((p) => p.item),
    resultsQuarantined: results.poisoned.map((p) => p.item),
  };
}

/**
 * Records one flush of presence changes in one transaction; a change the database refuses on
 * its own (a device deleted meanwhile) is set aside in quarantine and the others are recorded.
 */
export async function recordPresenceChanges(options: {
  db: pg.Pool;
  instanceId: string;
  changes: readonly PresenceChange[];
  now: Date;
}): Promise<void> {
  await isolateFailures({
    items: options.changes,
    run: (items) =>
      recordPresence(options.db, {
        instanceId: options.instanceId,
        connected: items.flatMap((c) => (c.kind === 'connected' ? [{ deviceId: c.deviceId, at: c.at }] : [])),
        disconnected: items.flatMap((c) => (c.kind === 'disconnected' ? [c.deviceId] : [])),
        seen: items.flatMap((c) => (c.kind === 'seen' ? [c.deviceId] : [])),
        now: options.now,
      }),
    onPoison: async (item, error) => {
      await quarantineItem({
        source: PRESENCE_QUARANTINE,
        itemKey: `${options.instanceId}:${item.kind}:${item.deviceId}`,
        item,
        error,
        db: options.db,
      });
    },
  });
}

/**
 * Records answers now, on the caller's transaction, without isolation: a retried quarantined
 * answer, whose failure the caller reports. Tells the console when counts changed.
 */
export async function recordAnswersNow(client: pg.PoolClient, answers: { deliveries?: PendingDelivery[]; results?: PendingResult[] }) {
  const deliveries = answers.deliveries ?? [];
  const results = answers.results ?? [];
  for (const id of await repo.pendingOperationIds(client, operationIds([...deliveries, ...results.map((r) => r.result)]))) {
    await repo.materializeTargets(client, id);
  }
  await repo.lockLiveQueryRowOrder(client, liveQueryOperationIds(results));
  const changed = new Set([
    ...(await repo.recordDeliveries(client, deliveries)),
    ...(await repo.recordResults(
      client,
      results.map((r) => ({ ...r.result, deviceId: r.deviceId, completedAt: new Date(r.result.completedAt), receivedAt: r.receivedAt })),
    )),
  ]);
  if (changed.size) await repo.notifyProgress(client, { answered: [...changed] });
}
