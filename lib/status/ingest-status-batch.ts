import type pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { forgedIdentityReason, type StatusSender } from './authenticate-status-sender';
import { statusMessageIds } from './catalog';
import { ingestCounters } from './counters';
import { appendToInbox, readInboxDepth } from './inbox-repo';
import { reportServerMessage, serverMessage } from './report-server-message';
import type { IngestResult, RejectedMessage, StatusBatch } from './status-batch.schema';
import { statusMessageSchema, type StatusMessage } from './status-message.schema';

const DEPTH_CACHE_MS = 250;
const VALIDATE_SLICE = 100;
const BACKLOG_REPORT_EVERY_MS = 5 * 60_000;

interface CapacityState {
  depth: number;
  readAt: number;
  reading: Promise<number> | null;
  over: boolean;
  reportedAt: number;
}
const holder = globalThis as unknown as { siteboxInboxCapacity?: CapacityState };
const capacity = () =>
  (holder.siteboxInboxCapacity ??= { depth: 0, readAt: 0, reading: null, over: false, reportedAt: 0 });

/** Forgets the cached inbox depth (tests). */
export function resetInboxCapacityCache(): void {
  holder.siteboxInboxCapacity = undefined;
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
function noteAppended(count: number) {
  capacity().depth += count;
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): Omit<RejectedMessage, 'index'> {
  const issue = error.issues[0];
  return { field: issue?.path.map(String).join('.') || '(message)', reason: issue?.message ?? 'is not valid' };
}

/**
 * Accepts a batch at the management point: checks each message on its own (its shape, and that
 * a device reports only in its own name), keeps the valid ones (each uid once) and appends them
 * to the inbox in one durable statement before answering.
 * When some were refused, the valid ones are already kept and a 400 lists each refused index
 * with its field and reason, so the reporter drops exactly those and never resends the rest.
 */
export async function ingestStatusBatch(options: { db: pg.Pool; batch: StatusBatch; sender: StatusSender }): Promise<IngestResult> {
  const { sender } = options;
  if (sender.kind === 'device' && options.batch.device !== undefined && options.batch.device.toLowerCase() !== sender.name.toLowerCase()) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The batch names another device than the credential it was sent with.',
      details: { fields: [{ path: 'device', message: `must be the sending device's own name (${sender.name})` }] },
    });
  }
  const counters = ingestCounters();
  const valid: StatusMessage[] = [];
  const rejected: RejectedMessage[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const messages = options.batch.messages;
  for (let index = 0; index < messages.length; index++) {
    // Validation is the costly part of a batch; yield now and then so that console requests
    // served by the same process get their turn in the middle of a flood.
    if (index > 0 && index % VALIDATE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const parsed = statusMessageSchema.safeParse(messages[index]);
    if (!parsed.success) {
      rejected.push({ index, ...firstIssue(parsed.error) });
      continue;
    }
    const forged = forgedIdentityReason(sender, parsed.data);
    if (forged) {
      rejected.push({ index, ...forged });
      continue;
    }
    if (seen.has(parsed.data.uid)) {
      duplicates++;
      continue;
    }
    seen.add(parsed.data.uid);
    valid.push(parsed.data);
  }

  await appendToInbox({ db: options.db, messages: valid, origin: 'mp' });
  noteAppended(valid.length);
  counters.acceptedMessages += valid.length;
  counters.rejectedMessages += rejected.length;
  counters.duplicateMessagesInBatch += duplicates;
  const result: IngestResult = { accepted: valid.length, duplicates, rejected };
  if (!rejected.length) {
    counters.requests.accepted++;
    return result;
  }
  if (valid.length) counters.requests.partial++;
  else counters.requests.rejected++;
  throw new AppError('BAD_REQUEST', {
    userMessage: `${rejected.length} of ${options.batch.messages.length} status messages were rejected; the other ${valid.length} were accepted.`,
    details: {
      ...result,
      fields: rejected.map((r) => ({ path: `messages.${r.index}.${r.field}`, message: r.reason })),
    },
  });
}

/**
 * Admission for ingest requests: a few are parsed and validated at a time, the rest wait
 * before their body is read (costing the event loop nothing), so console requests served by
 * the same process never queue behind hundreds of batches. Beyond `maxWaiting`, 503 at once.
 */
export class IngestGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: { maxRunning: number; maxWaiting: number; retryAfterSeconds: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.maxRunning) {
      if (this.waiting.length >= this.options.maxWaiting) {
        ingestCounters().requests.throttled++;
        throw new AppError('UNAVAILABLE', {
          message: 'too many ingest requests waiting',
          userMessage: 'The management point is busy; retry later.',
          retryAfterSeconds: this.options.retryAfterSeconds,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const gateHolder = globalThis as unknown as { siteboxIngestGate?: IngestGate };

/** The process-wide ingest gate. */
export function ingestGate(retryAfterSeconds: number): IngestGate {
  gateHolder.siteboxIngestGate ??= new IngestGate({ maxRunning: 4, maxWaiting: 2000, retryAfterSeconds });
  return gateHolder.siteboxIngestGate;
}
