import { reportAudit } from '../audit/report-audit';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import { clientActionLabels } from '../protocol/agent-protocol.schema';
import * as repo from './repo';

/**
 * Cancels an operation: clients not reached yet are never pushed; clients that have it are told
 * to drop it if they have not started. Results already in stand.
 */
export async function cancelClientOperation(options: { actor: Actor; id: number; clock?: Clock }) {
  const now = (options.clock ?? systemClock).now();
  const operation = await inTransaction(pool(), async (client) => {
    const found = notFoundOrThrow(await repo.findOperation(client, options.id, { forUpdate: true }), 'The client operation');
    if (found.cancelledAt) throw new AppError('CONFLICT', { userMessage: `The operation was already cancelled by ${found.cancelledBy}.` });
    if (found.validUntil.getTime() <= now.getTime())
      throw new AppError('CONFLICT', { userMessage: 'The operation has expired; there is nothing left to cancel.' });
    // Cancelled, an operation every client answered would read Cancelled instead of Completed.
    if (!found.targetsPending && !(await repo.hasUnansweredTargets(client, found.id)))
      throw new AppError('CONFLICT', { userMessage: 'Every client has answered; there is nothing left to cancel.' });
    await repo.cancelOperation(client, { id: found.id, by: options.actor.principal.userName, at: now });
    await repo.enqueuePush(client, found.id, 'CANCEL');
    // Audited and announced in the cancel's own transaction: a 503 then means nothing changed.
    await reportAudit(
      {
        kind: 'performed',
        verb: 'CancelClientOperation',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'ClientOperation',
        objectName: `${clientActionLabels[found.action]} on ${found.targetName}`,
        newValue: { id: found.id, cancelledAt: now },
      },
      client,
    );
    await repo.notifyProgress(client, { changed: [found.id] });
    return found;
  });
  return { id: operation.id, cancelledAt: now.toISOString() };
}
