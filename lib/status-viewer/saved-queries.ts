import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import { statusMessageFiltersSchema } from './status-message-filters.schema';
import type { QueryCriteria, SavedQueryEdit, SavedQueryInput, StatusMessageQueryView } from './status-query.schema';
import { builtInQueries, findStatusMessageQueryOrThrow } from './status-queries';

/**
 * Fixed criteria must be valid filters now, not when someone runs the query: each alone, and
 * together (from before to, a property value with its name) where no prompt is left to answer.
 */
function checkFixedCriteria(criteria: QueryCriteria) {
  const fixed = Object.fromEntries(Object.entries(criteria).filter(([, v]) => typeof v === 'string'));
  const parsed = statusMessageFiltersSchema.safeParse(fixed);
  // A rule between a fixed criterion and a prompted one waits for the prompt's answer.
  const prompted = (field: PropertyKey | undefined) => typeof field === 'string' && field in criteria && !(field in fixed);
  const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !prompted(i.path[0]));
  if (issues.length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'Some criteria are not valid filters.',
      details: { fields: issues.map((i) => ({ path: `criteria.${i.path.join('.')}`, message: i.message })) },
    });
  }
}

/** A saved query's number; a built-in query is 403, and any other id (1e3, -1, beyond a column) names none, 404 as when read. */
function savedIdOrThrow(id: string): number {
  if (builtInQueries.some((q) => q.id === id)) throw new AppError('FORBIDDEN', { userMessage: 'Built-in queries cannot be changed.' });
  if (!/^\d{1,9}$/.test(id)) throw new AppError('NOT_FOUND', { userMessage: 'That status message query was not found.' });
  return Number(id);
}

/** Saves a query, in one transaction with its audit: neither stands without the other. */
export async function createStatusMessageQuery(options: { actor: Actor; input: SavedQueryInput }): Promise<StatusMessageQueryView> {
  const criteria = options.input.criteria as QueryCriteria;
  checkFixedCriteria(criteria);
  const row = await inTransaction(pool(), async (client) => {
    const row = await repo.insertSavedQuery(client, { ...options.input, criteria, createdBy: options.actor.principal.userName });
    await reportAudit(
      {
        kind: 'created',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusMessageQuery',
        objectName: row.name,
        newValue: options.input,
      },
      client,
    );
    return row;
  });
  return findStatusMessageQueryOrThrow(String(row.id));
}

/**
 * Replaces a saved query, in one transaction with its audit. One made from an older version than
 * the current one (`baseUpdatedAt`) is refused (409); one naming no version replaces the query as it is.
 */
export async function updateStatusMessageQuery(options: { actor: Actor; id: string; input: SavedQueryEdit }): Promise<StatusMessageQueryView> {
  const id = savedIdOrThrow(options.id);
  const { baseUpdatedAt, ...input } = options.input;
  const before = notFoundOrThrow(await repo.findSavedQuery(id), 'That status message query');
  const criteria = input.criteria as QueryCriteria;
  checkFixedCriteria(criteria);
  await inTransaction(pool(), async (client) => {
    await repo.updateSavedQuery(
      client,
      id,
      { ...input, criteria },
      {
        editorName: options.actor.principal.userName,
        check: (current) => {
          if (baseUpdatedAt && current.updatedAt.getTime() !== baseUpdatedAt.getTime())
            throw new AppError('CONFLICT', {
              userMessage: `${current.updatedBy || current.createdBy} changed the query after you opened it; start again from their version.`,
            });
        },
      },
    );
    await reportAudit(
      {
        kind: 'modified',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusMessageQuery',
        objectName: input.name,
        oldValue: { name: before.name, description: before.description, criteria: before.criteria },
        newValue: input,
      },
      client,
    );
  });
  return findStatusMessageQueryOrThrow(String(id));
}

/** Deletes a saved query, in one transaction with its audit: neither stands without the other. */
export async function deleteStatusMessageQuery(options: { actor: Actor; id: string }): Promise<void> {
  const id = savedIdOrThrow(options.id);
  await inTransaction(pool(), async (client) => {
    const before = notFoundOrThrow(await repo.deleteSavedQuery(client, id), 'That status message query');
    await reportAudit(
      {
        kind: 'deleted',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusMessageQuery',
        objectName: before.name,
        oldValue: before.criteria,
      },
      client,
    );
  });
}
