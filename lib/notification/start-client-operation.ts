import { reportAudit } from '../audit/report-audit';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { logger } from '../logger';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import { clientActionLabels } from '../protocol/agent-protocol.schema';
import type { StartClientOperationInput } from './client-operation.schema';
import type { ClientNotificationSettings } from './notification-settings';
import * as repo from './repo';
import { makeNextOperationBlock } from './operation-partitions-repo';
import { resolveScriptRun } from '../scripts/resolve-script-run';
import { resolveOperationTarget } from './resolve-operation-target';
import { checkLiveQuery } from '../live-query/check-live-query';

/**
 * Notification Manager: creates a client operation (its targets fixed and online counted as of
 * now, valid for the site's validity) and queues its push in the same transaction, so every
 * notification server hears of it only once it exists. That is one small transaction, so the push
 * leaves at once: the per-target rows are written later, by the first that needs them (see
 * materializeOperationTargets); until then the notification servers push from the target ids
 * kept on the operation. The partitions those rows go to are made ahead, after the commit.
 */
export async function startClientOperation(options: {
  actor: Actor;
  input: StartClientOperationInput;
  settings: Pick<ClientNotificationSettings, 'operationValidityMinutes'>;
  clock?: Clock;
}) {
  const now = (options.clock ?? systemClock).now();
  const script = options.input.script ? await resolveScriptRun(options.input.script) : undefined;
  // A query the agents could not parse is refused here, with its position, not by every agent.
  const liveQuery = options.input.liveQuery ? { text: options.input.liveQuery.query } : undefined;
  if (liveQuery) checkLiveQuery(liveQuery.text, 'liveQuery.query');
  const resolved = await resolveOperationTarget(options.input.target);
  const validUntil = new Date(now.getTime() + options.settings.operationValidityMinutes * 60_000);
  const operation = await inTransaction(pool(), async (client) => {
    const created = await repo.insertOperation(client, {
      action: options.input.action,
      target: resolved.target,
      targetName: resolved.targetName,
      startedBy: options.actor.principal.userName,
      startedAt: now,
      validUntil,
      script,
      liveQuery,
    });
    if (created.total === 0) {
      throw new AppError('BAD_REQUEST', {
        userMessage: `${resolved.targetName} has no clients that can receive client operations.`,
        details: { fields: [{ path: 'target.collectionId', message: 'has no members' }] },
      });
    }
    await repo.enqueuePush(client, created.id, 'START');
    // The audit and the console's notice commit with the operation: a process that dies, or a
    // connection cut, after the commit would otherwise leave an operation nobody audited, and a
    // 503 for a start that did happen (which, sent again, starts it twice).
    await reportAudit(
      {
        kind: 'performed',
        verb: 'StartClientOperation',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'ClientOperation',
        objectName: `${clientActionLabels[created.action]}${script ? ` ${script.name}` : ''} on ${created.targetName}`,
        newValue: {
          id: created.id,
          action: created.action,
          total: created.total,
          onlineAtStart: created.onlineAtStart,
          validUntil: created.validUntil,
          ...(script ? { script } : {}),
          ...(liveQuery ? { liveQuery: liveQuery.text } : {}),
        },
      },
      client,
    );
    await repo.notifyProgress(client, { changed: [created.id] });
    return created;
  });
  // The next block of partitions, made now that the push is out; should this fail, the start that
  // needs the block makes it in its own transaction.
  await makeNextOperationBlock(pool(), operation.id).catch((error) =>
    logger.warn({ err: error, operationId: operation.id }, 'could not make the next block of result partitions yet'),
  );
  return operation;
}
