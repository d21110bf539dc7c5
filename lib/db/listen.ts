import pg from 'pg';
import type { Logger } from 'pino';

/**
 * LISTENs on channels with a dedicated connection, reconnecting after a drop.
 * `onReconnect` runs after each reconnect so callers can catch up on what they missed;
 * `onListening` after every successful LISTEN, the first included, for callers whose catch-up
 * must not race the first LISTEN (a NOTIFY sent before it is not delivered).
 * `connection()` is the listening connection while it is up: a caller may read what it was
 * notified of there, on a connection that is always open, instead of waiting for a pool's.
 */
export function listen(options: {
  connectionString: string;
  channels: string[];
  log: Logger;
  onNotification: (channel: string, payload: string) => void;
  onReconnect?: () => void;
  onListening?: () => void;
}): { close(): Promise<void>; connection(): pg.Client | null } {
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let attempt = 0;

  const connect = async (isReconnect: boolean) => {
    // A connect that never completes would leave the caller waiting for its first LISTEN: retry instead.
    const c = new pg.Client({ connectionString: options.connectionString, application_name: 'sitebox-listen', connectionTimeoutMillis: 10_000 });
    c.on('notification', (n) => options.onNotification(n.channel, n.payload ?? ''));
    c.on('error', (error) => {
      options.log.warn({ err: error }, 'LISTEN connection lost');
      scheduleReconnect();
    });
    try {
      await c.connect();
      for (const channel of options.channels) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed) return void (await c.end());
      client = c;
      attempt = 0;
      if (isReconnect) options.onReconnect?.();
      options.onListening?.();
    } catch (error) {
      options.log.warn({ err: error }, 'LISTEN connect failed');
      c.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    client?.end().catch(() => undefined);
    client = null;
    const delay = Math.min(30_000, 500 * 2 ** attempt++);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect(true);
    }, delay);
  };

  void connect(false);
  return {
    connection: () => client,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}
