import type { Namespace } from 'socket.io';
import type { Logger } from 'pino';
import { canReadConsole } from '../auth/roles';
import { listen } from '../db/listen';
import { STATUS_SUMMARIES_CHANGED_CHANNEL } from './summary-writes';

export const STATUS_SUMMARIES_ROOM = 'status-summaries';
/** Client → server: join the live status summaries (acknowledged with `{ ok }`). */
export const SUBSCRIBE_EVENT = 'status-summaries:subscribe';
/** Server → client: `{ sites: string[] }` whose summaries changed (empty: every site, e.g. thresholds). */
export const CHANGED_EVENT = 'status-summaries:changed';

/**
 * Carries summary changes to the console: Status Manager notifies after each batch commits;
 * notifications are coalesced for a short window so a flood costs the views a refresh or two a
 * second, well inside the two seconds they promise.
 */
export function attachStatusSummaryFeed(options: { nsp: Namespace; connectionString: string; log: Logger; coalesceMs?: number }) {
  const { nsp } = options;
  nsp.on('connection', (socket) => {
    socket.on(SUBSCRIBE_EVENT, (ack?: unknown) => {
      const allowed = Boolean(socket.data.session && canReadConsole(socket.data.session.principal));
      if (allowed) void socket.join(STATUS_SUMMARIES_ROOM);
      if (typeof ack === 'function') ack({ ok: allowed });
    });
  });

  let pending: Set<string> | null = null;
  let everySite = false;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const sites = everySite ? [] : [...(pending ?? [])].sort();
    pending = null;
    everySite = false;
    nsp.to(STATUS_SUMMARIES_ROOM).emit(CHANGED_EVENT, { sites });
  };
  const listener = listen({
    connectionString: options.connectionString,
    channels: [STATUS_SUMMARIES_CHANGED_CHANNEL],
    log: options.log,
    onNotification: (_channel, payload) => {
      pending ??= new Set();
      const sites = payload.split(',').filter(Boolean);
      if (!sites.length) everySite = true;
      for (const s of sites) pending.add(s);
      timer ??= setTimeout(flush, options.coalesceMs ?? 150);
    },
    // Whatever changed while the connection was down: refresh everything.
    onReconnect: () => {
      everySite = true;
      pending ??= new Set();
      timer ??= setTimeout(flush, 0);
    },
  });
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await listener.close();
    },
  };
}
