import type pg from 'pg';
import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import { classifyFailure } from '../quarantine/classify-failure';
import { lockQuarantinedItem, markQuarantinedItem, type QuarantinedItemRow } from '../quarantine/repo';
import { requeuers } from './requeuers';

/**
 * Decides a quarantined item, audited: "retry" puts it back in its queue (or, for a queue that
 * lives only in a process's memory, applies it now), "discard" drops it for good. Both keep the
 * row, marked with who decided and when. An item that still fails on retry stays quarantined
 * and the answer says why.
 */
export async function decideQuarantinedItem(options: { id: string; action: 'retry' | 'discard'; actor: Actor; db?: pg.Pool; now?: Date }) {
  const db = options.db ?? pool();
  const at = options.now ?? new Date();
  const userName = options.actor.principal.userName;
  return inTransaction(db, async (client) => {
    const item = notFoundOrThrow(await lockQuarantinedItem(client, options.id), 'The quarantined item');
    if (item.state !== 'QUARANTINED') {
      throw new AppError('CONFLICT', {
        userMessage: `The item was already ${item.state === 'RETRIED' ? 'retried' : 'discarded'} by ${item.resolvedBy ?? 'someone'}.`,
      });
    }
    if (options.action === 'retry') await requeue(item, client);
    await markQuarantinedItem(client, { id: item.id, state: options.action === 'retry' ? 'RETRIED' : 'DISCARDED', by: userName, at });
    await reportAudit(
      {
        kind: 'performed',
        verb: options.action === 'retry' ? 'RetryQuarantinedItem' : 'DiscardQuarantinedItem',
        userName,
        address: options.actor.address,
        objectType: 'QuarantinedItem',
        objectName: `${item.source} ${item.itemKey}`,
        oldValue: { error: item.error, attempts: item.attempts },
      },
      client,
    );
    return { id: item.id, state: options.action === 'retry' ? ('RETRIED' as const) : ('DISCARDED' as const) };
  });
}

async function requeue(item: QuarantinedItemRow, client: pg.PoolClient) {
  const requeuer = requeuers[item.source];
  if (!requeuer) {
    throw new AppError('CONFLICT', { userMessage: `Items of ${item.source} cannot be retried (the next change supersedes them); discard it.` });
  }
  const parsed = requeuer.schema.safeParse(JSON.parse(item.payload));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('CONFLICT', { userMessage: `The item still cannot be processed: ${issue.path.join('.') || 'item'} ${issue.message}.` });
  }
  try {
    await requeuer.requeue(parsed.data, client);
  } catch (error) {
    if (classifyFailure(error) === 'transient') throw error;
    throw new AppError('CONFLICT', { userMessage: `The item still cannot be processed: ${(error as Error).message}` });
  }
}
