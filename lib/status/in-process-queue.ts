import type { StatusMessage } from './status-message.schema';

/**
 * Status Manager's in-memory queue: when Status Manager runs in this process, server
 * components hand their messages to it directly instead of writing them to the inbox.
 * Like any in-memory queue it does not survive a crash; Status Manager writes what is left
 * to the durable inbox when it stops.
 */
interface Drain {
  queue: StatusMessage[];
  wake: () => void;
}

const holder = globalThis as unknown as { siteboxStatusDrain?: Drain | null };

/** Called by Status Manager at start: from now on server messages of this process queue here. */
export function attachInProcessDrain(options: { wake: () => void }): {
  take(max: number): StatusMessage[];
  /** Puts messages back at the front after a failed batch. */
  requeue(messages: readonly StatusMessage[]): void;
  detach(): StatusMessage[];
} {
  const drain: Drain = { queue: [], wake: options.wake };
  holder.siteboxStatusDrain = drain;
  return {
    take: (max) => drain.queue.splice(0, max),
    requeue: (messages) => {
      drain.queue.unshift(...messages);
    },
    detach() {
      if (holder.siteboxStatusDrain === drain) holder.siteboxStatusDrain = null;
      return drain.queue.splice(0);
    },
  };
}

/** Queues messages for the Status Manager of this process; false when none runs here. */
export function enqueueInProcess(messages: readonly StatusMessage[]): boolean {
  const drain = holder.siteboxStatusDrain;
  if (!drain) return false;
  drain.queue.push(...messages);
  drain.wake();
  return true;
}

/** Messages waiting in this process's queue (0 when no Status Manager runs here). */
export function queuedInProcess(): number {
  return holder.siteboxStatusDrain?.queue.length ?? 0;
}
