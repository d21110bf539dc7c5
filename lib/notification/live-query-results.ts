import { pool } from '../db/pool';
import { AppError, notFoundOrThrow } from '../errors';
import { applyStages, type Row } from '../live-query/evaluate-query';
import type { Stage } from '../live-query/query-language';
import { queryColumns } from '../live-query/query-columns';
import { readLiveQuery } from '../live-query/validate-query';
import { materializeOperationTargets } from './materialize-operation-targets';
import * as repo from './repo';

async function liveQueryOperation(id: number) {
  const operation = notFoundOrThrow(await repo.findOperation(pool(), id), 'The client operation');
  if (operation.action !== 'LIVE_QUERY' || operation.liveQuery === null)
    throw new AppError('BAD_REQUEST', {
      userMessage: `Client operation ${id} is not a live query.`,
      details: { fields: [{ path: 'id', message: 'is not a live query' }] },
    });
  if (operation.targetsPending) await materializeOperationTargets({ db: pool(), operationIds: [id] });
  // Checked at the start with the same language; only a changed language (or a row written some
  // other way) leaves one that does not parse: its devices failed it, and it has no columns.
  return { operation, query: readLiveQuery(operation.liveQuery).query ?? null };
}

/**
 * A live query's summary across devices, when it summarizes: the devices' summaries merged in the
 * database (counts and sums added, minima and maxima compared, by the same keys), then the stages
 * after the summarize run over the merged rows — exactly the summary of every device's rows. Null
 * when the query lists rows instead.
 */
async function summaryAcrossDevices(operationId: number, stages: readonly Stage[]): Promise<Row[] | null> {
  const index = stages.findIndex((s) => s.kind === 'summarize');
  if (index < 0) return null;
  const stage = stages[index] as Extract<Stage, { kind: 'summarize' }>;
  const merged = await repo.mergedLiveQuerySummary(pool(), operationId, {
    by: stage.by.map((k) => k.name),
    aggregates: stage.aggregates.map((a) => ({ fn: a.fn, name: a.name })),
  });
  return applyStages(stages.slice(index + 1), merged);
}

/** A live query's overview for the console: its text, its columns, how many rows are stored, and its summary. */
export async function liveQueryOverview(id: number) {
  const { operation, query } = await liveQueryOperation(id);
  const stored = await repo.liveQueryStoredCounts(pool(), id);
  return {
    operationId: id,
    query: operation.liveQuery!,
    columns: query ? queryColumns(query) : [],
    rowsStored: stored.rows,
    devicesTruncated: stored.devicesTruncated,
    summary: query ? await summaryAcrossDevices(id, query.stages) : null,
  };
}

/** One page of a live query's rows in the order they arrived, after the cursor `after` (a row's seq). */
export async function liveQueryRowPage(id: number, page: { after: string | undefined; limit: number }) {
  await liveQueryOperation(id);
  const rows = await repo.liveQueryRows(pool(), id, page);
  return { rows, next: rows.length === page.limit ? rows[rows.length - 1].seq : null };
}
