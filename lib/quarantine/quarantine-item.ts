import type pg from 'pg';
import { pool } from '../db/pool';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { sqlState } from './classify-failure';
import { upsertQuarantinedItem, type QuarantinedItemRow } from './repo';
import { storablePayload, storableText } from './storable-text';

/** A queue whose consumer sets poison items aside: its name in the quarantine, and the component that reports it. */
export interface QuarantineSource {
  /** e.g. "status-manager.inbox": the key retry uses to find the queue again. */
  name: string;
  /** The server component that reports the Error status message, e.g. "SMS_STATUS_MANAGER". */
  component: string;
}

/** The error's message, with PostgreSQL's detail when it gives one ("Unicode low surrogate must follow a high surrogate."). */
function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = (error as { detail?: unknown } | null)?.detail;
  return storableText(typeof detail === 'string' && detail ? `${message} (${detail})` : message, 2000);
}

/**
 * Sets a poison item aside: a quarantine row (or one more attempt on the row already there)
 * and an Error status message naming the queue, the item and the error, so Component Status
 * and the status message viewer show it. Pass `db`, a client inside the consumer's
 * transaction, to make both commit with the rest of its batch.
 */
export async function quarantineItem(options: {
  source: QuarantineSource;
  itemKey: string;
  item: unknown;
  error: unknown;
  db?: pg.Pool | pg.PoolClient;
  now?: Date;
}): Promise<QuarantinedItemRow> {
  const db = options.db ?? pool();
  const at = options.now ?? new Date();
  const itemKey = storableText(options.itemKey, 500);
  const error = describeError(options.error);
  const row = await upsertQuarantinedItem(db, {
    source: options.source.name,
    itemKey,
    payload: storablePayload(options.item),
    error,
    errorCode: sqlState(options.error),
    at,
  });
  const message = serverMessage({
    messageId: statusMessageIds.itemQuarantined,
    component: options.source.component,
    insertionStrings: [options.source.component, options.source.name, itemKey, error],
    properties: { QuarantineId: row.id, Source: options.source.name, ItemKey: itemKey },
    now: at,
  });
  await reportServerMessage({ messages: message, db });
  return row;
}
