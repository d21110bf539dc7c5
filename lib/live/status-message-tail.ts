import type pg from 'pg';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { listStatusMessagesInSpan } from '../status-viewer/list-status-messages';
import { storedNoticeSchema } from '../status/stored-notice.schema';
import type { StatusTailBatch } from '../status-viewer/status-tail.schema';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

const ROOM = liveRooms.statusMessages;

function parseNotice(payload: string) {
  try {
    const parsed = storedNoticeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The Status Message Viewer's live tail: Status Manager notifies what each committed batch
 * stored; this gathers those notices and, at most once per `intervalMs`, reads the newest
 * `maxPerBatch` of them in one query and sends them to every console following the tail. A
 * flood therefore costs one indexed read per interval, however many batches or viewers there
 * are; what did not fit is counted in `more`. Nothing is read while nobody is in the room.
 */
export function attachStatusMessageTail(options: {
  nsp: Namespace;
  db: pg.Pool;
  connectionString?: string;
  log: Logger;
  intervalMs?: number;
  maxPerBatch?: number;
}): { listening: Promise<void>; close(): Promise<void> } {
  const { nsp, log } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const maxPerBatch = options.maxPerBatch ?? 100;
  let pending: { after: bigint; upTo: bigint; stored: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastSent = 0;
  let closed = false;

  const following = () => (nsp.adapter.rooms.get(ROOM)?.size ?? 0) > 0;

  const send = async () => {
    timer = null;
    const span = pending;
    pending = null;
    if (!span || closed || !following()) return;
    lastSent = Date.now();
    try {
      const messages = await listStatusMessagesInSpan({
        db: options.db,
        after: String(span.after),
        upTo: String(span.upTo),
        limit: maxPerBatch,
      });
      const batch: StatusTailBatch = { messages, more: Math.max(0, span.stored - messages.length) };
      nsp.to(ROOM).emit(liveEvents.statusMessagesStored, batch);
    } catch (error) {
      log.warn({ err: error }, 'live tail read failed');
    }
  };

  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.statusMessagesStored],
    onNotification: (_channel, payload) => {
      if (closed || !following()) return;
      const notice = parseNotice(payload);
      if (!notice) return;
      const after = BigInt(notice.after);
      const upTo = BigInt(notice.upTo);
      pending = pending
        ? {
            after: after < pending.after ? after : pending.after,
            upTo: upTo > pending.upTo ? upTo : pending.upTo,
            stored: pending.stored + notice.stored,
          }
        : { after, upTo, stored: notice.stored };
      timer ??= setTimeout(() => void send(), Math.max(0, lastSent + intervalMs - Date.now()));
    },
  });

  return {
    /** Resolves once the tail hears what Status Manager stores: batches committed from then on are sent. */
    listening: listener.listening,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await listener.close();
    },
  };
}
