import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { Config } from '../config';
import { clientRateLimit, consume } from '../http/rate-limits';
import { readClientNotificationSettings } from '../sitecontrol/read-client-notification-settings';
import { readPolicySiteSettings } from '../sitecontrol/read-policy-site-settings';
import { NotificationServer } from '../notification/notification-server';

/**
 * A management point's notification server: agents reach it on its own port (site setting,
 * default 10123) and, when that is blocked, on the HTTP port's /agents namespace; WebSocket first,
 * long-polling after. `serveTls` wraps the dedicated port's server as the HTTP port's is.
 */
export async function startNotificationService(options: {
  io: SocketServer;
  cfg: Config;
  log: Logger;
  serveTls?: (server: HttpServer) => () => void;
}): Promise<NotificationServer> {
  const { cfg } = options;
  const server = new NotificationServer({
    log: options.log,
    connectionString: cfg.databaseUrl,
    heartbeatSeconds: cfg.SITEBOX_NOTIFICATION_HEARTBEAT_SECONDS,
    flushMs: cfg.SITEBOX_NOTIFICATION_FLUSH_MS,
    // Fresh each time: the server reads them at start and after each applied serial, and refreshes
    // the cache the client operation routes read.
    settings: () => readClientNotificationSettings({ fresh: true }),
    policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
    dedicatedPort: cfg.SITEBOX_NOTIFICATION_PORT === 'off' ? undefined : { host: cfg.HOST, port: cfg.SITEBOX_NOTIFICATION_PORT },
    prepareDedicatedServer: options.serveTls,
    consolePort: () => {
      const address = options.io.httpServer?.address();
      return address && typeof address === 'object' ? address.port : undefined;
    },
    consumeClientRequest: (deviceId) => consume(clientRateLimit, `device:${deviceId}`),
  });
  server.attach(options.io);
  await server.start();
  return server;
}
