import type pg from 'pg';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { listen } from '../db/listen';
import { COLLECTIONS_EVALUATED_EVENT } from './live-feed.events';

export { COLLECTIONS_EVALUATED_EVENT };

/** NOTIFY channel: an evaluation pass stored new membership (from whichever process ran it). */
export const COLLECTIONS_EVALUATED_CHANNEL = 'sitebox_collections_evaluated';

export async function notifyCollectionsEvaluated(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query(`SELECT pg_notify($1, '')`, [COLLECTIONS_EVALUATED_CHANNEL]);
}

/**
 * Tells every console that collection membership changed, so member counts, "evaluated" times
 * and the operation and deployment pickers follow an evaluation without a reload.
 */
export function attachCollectionFeed(options: { nsp: Namespace; connectionString: string; log: Logger }) {
  const announce = () => options.nsp.emit(COLLECTIONS_EVALUATED_EVENT, {});
  const listener = listen({
    connectionString: options.connectionString,
    channels: [COLLECTIONS_EVALUATED_CHANNEL],
    log: options.log,
    onNotification: announce,
    onReconnect: announce,
  });
  return { close: () => listener.close() };
}
