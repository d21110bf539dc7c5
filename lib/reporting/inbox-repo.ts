import type pg from 'pg';
import { channels } from '../db/channels';
import { coalescedNotifier, notify } from '../db/notify';
import { toWireStatusMessage, type StatusMessage, type WireStatusMessage } from './status-message.schema';

/** Which path delivered a batch to the inbox. */
export type InboxOrigin = 'mp' | 'server' | 'audit';

/** A validated message after its trip through JSON: `sourceTime` is an ISO string. */
export type InboxMessage = WireStatusMessage;

/**
 * Tells Status Manager that batches wait in the inbox (after they committed; coalesced, at most one
 * every 50 ms per pool: in a flood its loops are awake anyway, and hundreds of NOTIFYs a second
 * would only queue on PostgreSQL's notification lock).
 */
const wakeStatusManager = coalescedNotifier(channels.statusInbox, { spacingMs: 50 });

/**
 * Messages as an inbox row holds them: the JSON text of the wire form of each, as an array, or a
 * batch as its sender sent it whose messages are already in wire form (see sentInWireForm); and
 * how many they are.
 */
export interface InboxText {
  text: string;
  count: number;
}

export function inboxText(messages: readonly StatusMessage[]): InboxText {
  return { text: JSON.stringify(messages.map(toWireStatusMessage)), count: messages.length };
}

/**
 * Appends validated messages as one inbox row, durably (the statement commits before this
 * resolves unless `db` is a client inside a transaction, which then decides), counts them in
 * status_counter's "accepted", and wakes Status Manager: on a pool by a NOTIFY after the commit,
 * coalesced (the ingest's hot path); on a client by one that the caller's commit delivers.
 */
export async function appendToInbox(options: {
  db: pg.Pool | pg.ClientBase;
  /** The messages, or already their inbox text (see inboxText). */
  messages: readonly StatusMessage[] | InboxText;
  origin: InboxOrigin;
  /** Who sent the batch to the ingest endpoint (see inboxSender); none for the site's own messages. */
  sender?: string;
  /** What the sender said: none of the batch was ever sent before, or it may have been (see statusBatchSchema). */
  firstSending?: boolean;
}): Promise<void> {
  const row = 'text' in options.messages ? options.messages : inboxText(options.messages);
  if (!row.count) return;
  // One statement: the batch and the site-wide "accepted" counter commit together. Named, so that
  // each connection plans it once: the ingest runs it for every batch.
  await options.db.query({
    name: 'append-to-inbox',
    text: `WITH batch AS (INSERT INTO status_inbox (messages, message_count, origin, sender, first_sending) VALUES ($1, $2, $3, $5, $6) RETURNING message_count)
     INSERT INTO status_counter (name, shard, value) SELECT 'accepted', $4, message_count FROM batch
     ON CONFLICT (name, shard) DO UPDATE SET value = status_counter.value + EXCLUDED.value`,
    values: [row.text, row.count, options.origin, Math.floor(Math.random() * 16), options.sender ?? null, options.firstSending ?? null],
  });
  if ('totalCount' in options.db) void wakeStatusManager(options.db).catch(() => undefined);
  else await notify(options.db, channels.statusInbox);
}

/**
 * Messages waiting in the inbox. Cheap: rows are whole batches and back-pressure keeps them
 * few, so this sums a few hundred small rows (the JSON stays in TOAST, unread).
 */
export async function readInboxDepth(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ depth: string }>(`SELECT coalesce(sum(message_count), 0)::text AS depth FROM status_inbox`);
  return Number(rows[0].depth);
}
