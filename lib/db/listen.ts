import pg from 'pg';
import type { Logger } from 'pino';

/** What one LISTEN subscriber hears. */
export interface ListenOptions {
  channels: readonly string[];
  onNotification: (channel: string, payload: string) => void;
  /**
   * After LISTEN is back in place following a lost or failed connection: catch up on what was
   * missed meanwhile.
   */
  onReconnect?: () => void;
  /**
   * After every successful LISTEN of this subscriber's channels, the first included: for a
   * catch-up that must not race the first LISTEN (a NOTIFY sent before it is not delivered).
   */
  onListening?: () => void;
}

/** A subscription: `connection()` is the listening connection while it is up. */
export interface Listening {
  close(): Promise<void>;
  /** Settles once this subscriber's channels are first LISTENed on: later NOTIFYs reach it. */
  listening: Promise<void>;
  /**
   * The connection that hears the notifications, while it is up: a subscriber may read what it
   * was notified of there, on a connection that is always open, instead of waiting for a pool's.
   */
  connection(): pg.Client | null;
}

interface Subscriber extends ListenOptions {
  /** The connection dropped or failed since this subscriber last heard everything. */
  missed: boolean;
  listened: () => void;
}

/**
 * One dedicated LISTEN connection shared by any number of subscribers, reconnecting after a
 * drop with a growing delay. Notifications reach the subscribers of their channel; a connection
 * opens with the first subscriber and closes with the last.
 */
export class ListenConnection {
  private client: pg.Client | null = null;
  private connecting = false;
  private listened = new Set<string>();
  private readonly subscribers = new Set<Subscriber>();
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(private readonly options: { connectionString: string; log: Logger }) {}

  subscribe(options: ListenOptions): Listening {
    let listened = () => {};
    const listening = new Promise<void>((resolve) => (listened = resolve));
    const subscriber: Subscriber = { ...options, missed: false, listened };
    this.subscribers.add(subscriber);
    if (this.client) this.bringIn(this.client, subscriber);
    else this.connectSoon();
    return {
      listening,
      connection: () => this.client,
      close: async () => {
        this.subscribers.delete(subscriber);
        if (!this.subscribers.size) await this.disconnect();
      },
    };
  }

  private connectSoon() {
    if (this.connecting || this.retryTimer) return;
    void this.connect();
  }

  private async connect() {
    this.connecting = true;
    // A connect that never completes would leave subscribers waiting for their first LISTEN: retry instead.
    const c = new pg.Client({ connectionString: this.options.connectionString, application_name: 'sitebox-listen', connectionTimeoutMillis: 10_000 });
    c.on('notification', (n) => this.deliver(n.channel, n.payload ?? ''));
    c.on('error', (error) => {
      this.options.log.warn({ err: error }, 'LISTEN connection lost');
      this.lost(c);
    });
    try {
      await c.connect();
    } catch (error) {
      this.options.log.warn({ err: error }, 'LISTEN connect failed');
      this.connecting = false;
      this.lost(c);
      return;
    }
    this.connecting = false;
    if (!this.subscribers.size) return void c.end().catch(() => undefined);
    this.client = c;
    this.listened = new Set();
    this.attempt = 0;
    for (const subscriber of this.subscribers) this.bringIn(c, subscriber);
  }

  /** LISTENs on what `subscriber` needs (in order with every other LISTEN), then tells it. */
  private bringIn(c: pg.Client, subscriber: Subscriber) {
    this.queue = this.queue.then(async () => {
      if (c !== this.client || !this.subscribers.has(subscriber)) return;
      try {
        for (const channel of subscriber.channels) {
          if (this.listened.has(channel)) continue;
          await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
          this.listened.add(channel);
        }
      } catch (error) {
        this.options.log.warn({ err: error }, 'LISTEN failed');
        this.lost(c);
        return;
      }
      if (subscriber.missed) {
        subscriber.missed = false;
        subscriber.onReconnect?.();
      }
      subscriber.listened();
      subscriber.onListening?.();
    });
  }

  private deliver(channel: string, payload: string) {
    for (const subscriber of this.subscribers) {
      if (!subscriber.channels.includes(channel)) continue;
      try {
        subscriber.onNotification(channel, payload);
      } catch (error) {
        this.options.log.error({ err: error, channel }, 'a LISTEN subscriber failed on a notification');
      }
    }
  }

  /** Forgets `c` and tries again later, if anyone still listens. */
  private lost(c: pg.Client) {
    c.end().catch(() => undefined);
    if (this.client && this.client !== c) return;
    this.client = null;
    for (const subscriber of this.subscribers) subscriber.missed = true;
    // A connect under way (this was an older connection's late error) will do.
    if (!this.subscribers.size || this.retryTimer || this.connecting) return;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.subscribers.size) void this.connect();
    }, delay);
  }

  private async disconnect() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    const open = this.client;
    this.client = null;
    await open?.end().catch(() => undefined);
  }
}

/**
 * LISTENs on `channels` with a connection of its own. Inside Sitebox use lib/db/listen-shared.ts,
 * which shares one connection per process; this is for tools that must not share it.
 */
export function listen(options: ListenOptions & { connectionString: string; log: Logger }): Listening {
  return new ListenConnection(options).subscribe(options);
}
