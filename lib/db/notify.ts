import type pg from 'pg';

/**
 * Sends a PostgreSQL NOTIFY on `channel` through `db`: inside a transaction's client it is
 * delivered when that transaction commits, so listeners never hear of rows they cannot read yet.
 */
export async function notify(db: pg.Pool | pg.ClientBase, channel: string, payload = ''): Promise<void> {
  await db.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
}

/**
 * A NOTIFY sent after the fact, in a statement of its own, and coalesced: while one is on its way,
 * further calls send a single one more once it is done. For the hot path of many small committed
 * writes (a report accepted at the management point): a NOTIFY inside a transaction holds
 * PostgreSQL's one notification lock through that transaction's commit and WAL flush, so every
 * such commit of the cluster waits in line; a NOTIFY alone writes no WAL and flushes nothing.
 * The listener must also poll: a process that stops between the commit and the NOTIFY sends none.
 */
export function coalescedNotifier(channel: string, options: { spacingMs?: number } = {}): (db: pg.Pool) => Promise<void> {
  const spacingMs = options.spacingMs ?? 0;
  const state = new WeakMap<pg.Pool, { inFlight: Promise<void> | null; again: Promise<void> | null }>();
  return (db) => {
    let s = state.get(db);
    if (!s) state.set(db, (s = { inFlight: null, again: null }));
    const pool = s;
    const send = (): Promise<void> => {
      // With spacingMs, the next one waits that long after this one (calls meanwhile share it).
      const spaced = spacingMs ? notify(db, channel).finally(() => new Promise((resolve) => setTimeout(resolve, spacingMs))) : notify(db, channel);
      const sending = spaced.finally(() => {
        if (pool.inFlight === sending) pool.inFlight = null;
      });
      pool.inFlight = sending;
      return sending;
    };
    if (!pool.inFlight) return send();
    // Rows committed now may be missed by the NOTIFY on its way: one more follows it, for all of them.
    pool.again ??= pool.inFlight
      .catch(() => undefined)
      .then(() => {
        pool.again = null;
        return send();
      });
    return pool.again;
  };
}
