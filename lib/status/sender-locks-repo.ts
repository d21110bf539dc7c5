import type pg from 'pg';

/**
 * The first key of these advisory locks (their two-key form, which no other lock of the site
 * uses): "SMsd", Status Manager's senders.
 */
const SENDER_LOCK_SPACE = 0x534d7364;

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
 * would store them. Taken in ascending order, in one statement, so two transactions never wait
 * for each other in a circle. Batches without a sender (the site's own messages, never sent
 * twice) take none.
 */
export async function lockSenders(client: pg.ClientBase, batches: readonly { sender: string | null }[]): Promise<void> {
  const keys = new Set<number>();
  for (const { sender } of batches) if (sender) keys.add(senderLockKey(sender));
  if (!keys.size) return;
  const sorted = [...keys].sort((a, b) => a - b);
  await client.query(`SELECT pg_advisory_xact_lock($1::int, k) FROM unnest($2::int[]) AS k`, [SENDER_LOCK_SPACE, sorted]);
}
