import type pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { statusMessageIds } from '../reporting/catalog';
import { readInboxDepth } from '../reporting/inbox-repo';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { ingestCounters } from '../status/counters';
import { processSingleton, processSlot } from '../process-singleton';

const DEPTH_CACHE_MS = 250;
const BACKLOG_REPORT_EVERY_MS = 5 * 60_000;

interface CapacityState {
  depth: number;
  readAt: number;
  reading: Promise<number> | null;
  over: boolean;
  reportedAt: number;
}
const capacitySlot = processSlot<CapacityState>('inboxCapacity');
const capacity = () => processSingleton<CapacityState>('inboxCapacity', () => ({ depth: 0, readAt: 0, reading: null, over: false, reportedAt: 0 }));

/** Forgets the cached inbox depth (tests). */
export function resetInboxCapacityCache(): void {
  capacitySlot.set(undefined);
}

/**
 * Back-pressure: throws a 503 with Retry-After while Status Manager's inbox holds more than
 * `limit` messages. The depth is read at most every 250 ms per process, so a flood of requests
 * costs a handful of cheap queries. Crossing the limit is reported once as a status message.
 */
export async function checkInboxCapacity(options: {
  db: pg.Pool;
  limit: number;
  retryAfterSeconds: number;
  log?: Logger;
  now?: number;
}): Promise<void> {
  const state = capacity();
  const now = options.now ?? Date.now();
  if (now - state.readAt > DEPTH_CACHE_MS) {
    state.reading ??= readInboxDepth(options.db).finally(() => {
      state.reading = null;
    });
    state.depth = await state.reading;
    state.readAt = now;
  }
  const over = state.depth > options.limit;
  if (over !== state.over) {
    state.over = over;
    if (over ? now - state.reportedAt > BACKLOG_REPORT_EVERY_MS : true) {
      if (over) state.reportedAt = now;
      const message = serverMessage({
        messageId: over ? statusMessageIds.inboxBacklogOverLimit : statusMessageIds.inboxBacklogCleared,
        component: 'SMS_MP_CONTROL_MANAGER',
        insertionStrings: [String(state.depth), String(options.limit)],
      });
      reportServerMessage({ messages: message }).catch((error) => options.log?.warn({ err: error }, 'backlog report failed'));
    }
  }
  if (over) {
    ingestCounters().requests.throttled++;
    throw new AppError('UNAVAILABLE', {
      message: `status inbox backlog ${state.depth} over limit ${options.limit}`,
      userMessage: 'The management point is busy processing status messages; retry later.',
      retryAfterSeconds: options.retryAfterSeconds,
    });
  }
}

/** Makes the cached depth account for what this process just appended, until the next read. */
export function noteAppendedToInbox(count: number): void {
  capacity().depth += count;
}
