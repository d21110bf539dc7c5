import type { Namespace } from 'socket.io';
import type pg from 'pg';
import type { Logger } from 'pino';
import { listen } from '../db/listen';
import { DEPLOYMENTS_CHANGED_EVENT } from './live-feed.events';

export { DEPLOYMENTS_CHANGED_EVENT };

/** NOTIFY channel: payload is the changed deployments' ids, comma-separated (empty: any). */
export const DEPLOYMENTS_CHANGED_CHANNEL = 'sitebox_deployments_changed';

/**
 * Announces that deployments' statuses or definitions changed. Inside a transaction the
 * notification is delivered when it commits, so the console never reads ahead of the data.
 */
export async function notifyDeploymentsChanged(db: pg.ClientBase | pg.Pool, ids: number[] = []): Promise<void> {
  await db.query(`SELECT pg_notify($1, $2)`, [DEPLOYMENTS_CHANGED_CHANNEL, [...new Set(ids)].sort((a, b) => a - b).join(',').slice(0, 7000)]);
}

/**
 * Carries deployment changes to every console (anyone signed in may read deployments): the
 * notifications of a short window are coalesced, so a flood of client reports costs the
 * Deployments page a refresh or two a second.
 */
export function attachDeploymentFeed(options: { nsp: Namespace; connectionString: string; log: Logger; coalesceMs?: number }) {
  let pending: Set<number> | null = null;
  let any = false;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const deployments = any ? [] : [...(pending ?? [])].sort((a, b) => a - b);
    pending = null;
    any = false;
    options.nsp.emit(DEPLOYMENTS_CHANGED_EVENT, { deployments });
  };
  const schedule = () => {
    timer ??= setTimeout(flush, options.coalesceMs ?? 250);
  };
  let resolveListening: () => void;
  const listening = new Promise<void>((resolve) => (resolveListening = resolve));
  const listener = listen({
    connectionString: options.connectionString,
    channels: [DEPLOYMENTS_CHANGED_CHANNEL],
    log: options.log,
    onListening: () => resolveListening(),
    onNotification: (_channel, payload) => {
      pending ??= new Set();
      const ids = payload.split(',').filter(Boolean).map(Number);
      if (!ids.length) any = true;
      for (const id of ids) pending.add(id);
      schedule();
    },
    onReconnect: () => {
      any = true;
      schedule();
    },
  });
  return {
    /** Resolves once the feed hears changes: what commits from then on reaches the consoles. */
    listening,
    async close() {
      if (timer) clearTimeout(timer);
      await listener.close();
    },
  };
}
