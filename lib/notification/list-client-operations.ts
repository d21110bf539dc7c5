import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { notFoundOrThrow } from '../errors';
import type {
  ClientOperationPage,
  ClientOperationRow,
  ListClientOperationsQuery,
  ListOperationTargetsQuery,
  OperationTargetPage,
} from './client-operation.schema';
import { materializeOperationTargets } from './materialize-operation-targets';
import { deriveOperationCounts, displayedTargetState, emptyStateCounts } from './operation-counts';
import * as repo from './repo';

function toRow(o: repo.OperationRecord, stored = emptyStateCounts(), countsAsOf: number, now: Date): ClientOperationRow {
  // Until its target rows are written (a moment after the start), every target is waiting.
  const states = o.targetsPending ? { ...emptyStateCounts(), WAITING: o.total } : stored;
  return {
    id: o.id,
    action: o.action,
    scriptName: o.scriptName,
    liveQuery: o.liveQuery,
    collectionId: o.collectionId,
    targetName: o.targetName,
    startedBy: o.startedBy,
    startedAt: o.startedAt.toISOString(),
    validUntil: o.validUntil.toISOString(),
    cancelledAt: o.cancelledAt?.toISOString() ?? null,
    cancelledBy: o.cancelledBy,
    states,
    countsAsOf,
    total: o.total,
    onlineAtStart: o.onlineAtStart,
    counts: deriveOperationCounts({ states, validUntil: o.validUntil, cancelledAt: o.cancelledAt, now }),
  };
}

/** The Client Operations page: newest first, with counts per state. */
export async function listClientOperations(query: ListClientOperationsQuery, clock: Clock = systemClock): Promise<ClientOperationPage> {
  const { rows, total } = await repo.listOperations(pool(), { limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
  const { counts, asOf } = await repo.stateCounts(
    pool(),
    rows.map((r) => r.id),
  );
  const now = clock.now();
  return { rows: rows.map((o) => toRow(o, counts.get(o.id), asOf, now)), total, page: query.page, pageSize: query.pageSize };
}

export async function getClientOperationOrThrow(id: number, clock: Clock = systemClock): Promise<ClientOperationRow> {
  const operation = notFoundOrThrow(await repo.findOperation(pool(), id), 'The client operation');
  const { counts, asOf } = await repo.stateCounts(pool(), [id]);
  return toRow(operation, counts.get(id), asOf, clock.now());
}

/** One operation's per-device results, filtered by the state the console shows. */
export async function listOperationTargets(id: number, query: ListOperationTargetsQuery, clock: Clock = systemClock): Promise<OperationTargetPage> {
  const operation = notFoundOrThrow(await repo.findOperation(pool(), id), 'The client operation');
  if (operation.targetsPending) await materializeOperationTargets({ db: pool(), operationIds: [id] });
  const now = clock.now();
  const lapsed = operation.validUntil.getTime() <= now.getTime();
  const targets = await repo.listTargets(pool(), {
    operationId: id,
    state: query.state,
    lapsed,
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return {
    rows: targets.rows.map((t) => ({
      deviceId: t.deviceId,
      deviceName: t.deviceName,
      state: displayedTargetState({ state: t.state, validUntil: operation.validUntil, cancelledAt: operation.cancelledAt, now }),
      online: t.online,
      deliveredAt: t.deliveredAt?.toISOString() ?? null,
      completedAt: t.completedAt?.toISOString() ?? null,
      result: t.result,
    })),
    total: targets.total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
