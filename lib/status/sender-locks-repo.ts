import type pg from 'pg';

/**
 * The first keys of these advisory locks (their two-key form, which no other lock of the site
 * uses): "SMsd" for one sender, "SMal" for the lock over all of them.
 */
const SENDER_LOCK_SPACE = 0x534d7364;
const ALL_SENDERS_LOCK_SPACE = 0x534d616c;

/**
 * Senders locked one by one at most. Each lock takes a slot of PostgreSQL's shared lock table
 * (64 per connection by default); a transaction with more senders than this (possible only when
 * it claims more batches than this, against ten by default) takes the lock over all senders instead.
 */
export const MAX_SENDER_LOCKS = 64;

/** A sender's lock key: FNV-1a of its name, as a signed 32-bit integer. Two senders sharing one only wait for each other. */
export function senderLockKey(sender: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sender.length; i++) hash = Math.imul(hash ^ sender.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * Holds, until the caller's transaction ends, a lock per sender of the batches it claimed: a
 * batch and its retry (a client that got no answer sends the same messages again, perhaps to
 * another management point) come from one sender, so a second Status Manager transaction
 * holding the retry waits here until the first has committed, and then finds its messages
 * stored. Without it both would look for the uids before either had written them, and both
 * would store them. Every transaction also holds the lock over all senders, shared, or alone when
 * it has more senders than MAX_SENDER_LOCKS. Taken in one order (that lock first, then by key),
 * in one statement, so two transactions never wait for each other in a circle. Batches without a
 * sender (the site's own messages, never sent twice) take none.
 */
export async function lockSenders(client: pg.ClientBase, batches: readonly { sender: string | null }[]): Promise<void> {
  const keys = new Set<number>();
  for (const { sender } of batches) if (sender) keys.add(senderLockKey(sender));
  if (!keys.size) return;
  const alone = keys.size > MAX_SENDER_LOCKS;
  const spaces = [ALL_SENDERS_LOCK_SPACE];
  const ids = [0];
  const shared = [!alone];
  if (!alone) {
    for (const key of [...keys].sort((a, b) => a - b)) {
      spaces.push(SENDER_LOCK_SPACE);
      ids.push(key);
      shared.push(false);
    }
  }
  // unnest yields the rows in the arrays' order, and each row's lock is taken as it is produced.
  await client.query(
    `SELECT CASE WHEN shared THEN pg_advisory_xact_lock_shared(space, id) ELSE pg_advisory_xact_lock(space, id) END
       FROM unnest($1::int[], $2::int[], $3::bool[]) AS l(space, id, shared)`,
    [spaces, ids, shared],
  );
}
