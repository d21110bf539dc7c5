import { reportAudit } from '../audit/report-audit';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import { statusMessageFilterFieldsSchema } from './status-message-filters.schema';
import type { QueryCriteria, SavedQueryEdit, SavedQueryInput, StatusMessageQueryView } from './status-query.schema';
import { findStatusMessageQueryOrThrow } from './status-queries';

/** Fixed criteria must be valid filters now, not when someone runs the query. */
function checkFixedCriteria(criteria: QueryCriteria) {
  const fixed = Object.fromEntries(Object.entries(criteria).filter(([, v]) => typeof v === 'string'));
  const parsed = statusMessageFilterFieldsSchema.partial().safeParse(fixed);
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'Some criteria are not valid filters.',
      details: { fields: parsed.error.issues.map((i) => ({ path: `criteria.${i.path.join('.')}`, message: i.message })) },
    });
  }
}

function savedIdOrThrow(id: string): number {
  if (!/^\d{1,9}$/.test(id)) throw new AppError('FORBIDDEN', { userMessage: 'Built-in queries cannot be changed.' });
  return Number(id);
}

export async function createStatusMessageQuery(options: { actor: Actor; input: SavedQueryInput }): Promise<StatusMessageQueryView> {
  const criteria = options.input.criteria as QueryCriteria;
  checkFixedCriteria(criteria);
  const row = await repo.insertSavedQuery({ ...options.input, criteria, createdBy: options.actor.principal.userName });
  await reportAudit({
    kind: 'created',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusMessageQuery',
    objectName: row.name,
    newValue: options.input,
  });
  return findStatusMessageQueryOrThrow(String(row.id));
}

/**
 * Replaces a saved query. One made from an older version than the current one (`baseUpdatedAt`)
 * is refused (409); one naming no version replaces the query as it is.
 */
export async function updateStatusMessageQuery(options: { actor: Actor; id: string; input: SavedQueryEdit }): Promise<StatusMessageQueryView> {
  const id = savedIdOrThrow(options.id);
  const { baseUpdatedAt, ...input } = options.input;
  const before = notFoundOrThrow(await repo.findSavedQuery(id), 'That status message query');
  const criteria = input.criteria as QueryCriteria;
  checkFixedCriteria(criteria);
  await repo.updateSavedQuery(
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
  await reportAudit({
    kind: 'modified',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusMessageQuery',
    objectName: input.name,
    oldValue: { name: before.name, description: before.description, criteria: before.criteria },
    newValue: input,
  });
  return findStatusMessageQueryOrThrow(String(id));
}

export async function deleteStatusMessageQuery(options: { actor: Actor; id: string }): Promise<void> {
  const id = savedIdOrThrow(options.id);
  const before = notFoundOrThrow(await repo.findSavedQuery(id), 'That status message query');
  await repo.deleteSavedQuery(id);
  await reportAudit({
    kind: 'deleted',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusMessageQuery',
    objectName: before.name,
    oldValue: before.criteria,
  });
}
