import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { listen } from '../db/listen';
import { SITE_CONTROL_DELTA_CHANNEL } from './repo';
import { deltaEventSchema, SITE_CONTROL_DELTA_EVENT } from './site-control-change.schema';

/**
 * Relays the delta trigger's notifications to every console, so Site Settings shows a change
 * move from pending to applied (and its new serial) as it happens. Every signed-in role may read
 * the site settings, so the whole namespace hears it.
 */
export function attachSiteControlFeed(options: { nsp: Namespace; connectionString: string; log: Logger }): { close(): Promise<void> } {
  const listener = listen({
    connectionString: options.connectionString,
    channels: [SITE_CONTROL_DELTA_CHANNEL],
    log: options.log,
    onNotification: (_channel, payload) => {
      try {
        const event = deltaEventSchema.safeParse(JSON.parse(payload));
        if (event.success) options.nsp.emit(SITE_CONTROL_DELTA_EVENT, event.data);
      } catch {
        options.log.warn({ payload }, 'unreadable site control notification');
      }
    },
  });
  return { close: () => listener.close() };
}
