import type pg from 'pg';
import type { InboxMessage } from '../reporting/inbox-repo';

/** A batch as Status Manager claims it: wire-format messages (dates as ISO strings). */
export interface InboxBatch {
  id: string;
  receivedAt: Date;
  /** Who sent it through the ingest endpoint; null for the site's own messages. */
  sender: string | null;
  /** The sender said none of these messages was ever sent before, or that they may have been; null: it did not say. */
  firstSending: boolean | null;
  messages: InboxMessage[];
}

/**
 * Takes up to `limit` of the oldest batches out of the inbox inside the caller's transaction.
 * SKIP LOCKED lets concurrent Status Manager transactions take distinct batches; a rollback
 * puts them back.
 */
export async function claimInboxBatches(client: pg.ClientBase, limit: number): Promise<InboxBatch[]> {
  const { rows } = await client.query<{ id: string; received_at: Date; sender: string | null; first_sending: boolean | null; messages: string }>(
    `DELETE FROM status_inbox
      WHERE id IN (SELECT id FROM status_inbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, received_at, sender, first_sending, messages`,
    [limit],
  );
  return rows
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
    .map((r) => ({
      id: r.id,
      receivedAt: r.received_at,
      sender: r.sender,
      firstSending: r.first_sending,
      messages: inboxMessages(r.messages),
    }));
}

/**
 * An inbox row's messages: a JSON array of them, or a batch stored as its sender sent it, whose
 * `messages` are already in wire form (see appendToInbox).
 */
function inboxMessages(text: string): InboxMessage[] {
  const stored = JSON.parse(text) as InboxMessage[] | { messages: InboxMessage[] };
  return Array.isArray(stored) ? stored : stored.messages;
}
