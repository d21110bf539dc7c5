import type { StatusMessage } from './status-message.schema';
import { processSlot } from '../process-singleton';

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

const current = processSlot<Drain>('statusDrain');

/** Called by Status Manager at start: from now on server messages of this process queue here. */
export function attachInProcessDrain(options: { wake: () => void }): {
  take(max: number): StatusMessage[];
  /** Puts messages back at the front after a failed batch. */
  requeue(messages: readonly StatusMessage[]): void;
  detach(): StatusMessage[];
} {
  const drain: Drain = { queue: [], wake: options.wake };
  current.set(drain);
  return {
    take: (max) => drain.queue.splice(0, max),
    requeue: (messages) => {
      drain.queue.unshift(...messages);
    },
    detach() {
      if (current.get() === drain) current.set(undefined);
      return drain.queue.splice(0);
    },
  };
}

/** Queues messages for the Status Manager of this process; false when none runs here. */
export function enqueueInProcess(messages: readonly StatusMessage[]): boolean {
  const drain = current.get();
  if (!drain) return false;
  drain.queue.push(...messages);
  drain.wake();
  return true;
}

/** Messages waiting in this process's queue (0 when no Status Manager runs here). */
export function queuedInProcess(): number {
  return current.get()?.queue.length ?? 0;
}
