import type pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { processSingleton, processSlot } from '../process-singleton';
import { forgedIdentityReason, type StatusSender } from './authenticate-status-sender';
import { statusMessageIds } from './catalog';
import { ingestCounters } from './counters';
import { appendToInbox, readInboxDepth } from './inbox-repo';
import { reportServerMessage, serverMessage } from './report-server-message';
import { statusBatchSchema, type IngestResult, type RejectedMessage, type StatusBatch } from './status-batch.schema';
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
 * to the inbox in one durable statement before answering what was accepted and what refused.
 */
export async function ingestStatusBatch(options: { db: pg.Pool; batch: StatusBatch; sender: StatusSender }): Promise<IngestResult> {
  const { sender } = options;
  if (sender.kind === 'device' && options.batch.device !== undefined && options.batch.device.toLowerCase() !== sender.name.toLowerCase()) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The batch names another device than the credential it was sent with.',
      details: { fields: [{ path: 'device', message: `must be the sending device's own name (${sender.name})` }] },
    });
  }
  const valid: StatusMessage[] = [];
  const rejected: RejectedMessage[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const messages = options.batch.messages;
  for (let index = 0; index < messages.length; index++) {
    // Validation is the costly part of a batch; yield now and then so that other requests
    // served by the same thread get their turn in the middle of a flood.
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
  return { accepted: valid.length, duplicates, rejected };
}

/**
 * An ingest request's body, as sent: parses the JSON and the batch envelope (a 400 naming the
 * field when either is wrong), then ingests it. Runs on an ingest thread or inline.
 */
export async function ingestStatusBody(options: { db: pg.Pool; body: Uint8Array; sender: StatusSender }): Promise<IngestResult> {
  const text = Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength).toString('utf8');
  let json: unknown;
  try {
    json = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    throw new AppError('BAD_REQUEST', { userMessage: 'The request body is not valid JSON.' });
  }
  const batch = statusBatchSchema.safeParse(json);
  if (!batch.success) {
    const fields = batch.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new AppError('BAD_REQUEST', {
      userMessage: `${fields[0]?.path || 'request'}: ${fields[0]?.message ?? 'is not valid'}`,
      details: { fields },
    });
  }
  return ingestStatusBatch({ db: options.db, batch: batch.data, sender: options.sender });
}

/**
 * Counts an ingest outcome in this process's metrics and the cached inbox depth; a batch with
 * refused messages becomes a 400 listing each refused index with its field and reason (the
 * valid ones are already kept, so the reporter drops exactly those and never resends the rest).
 */
export function answerIngest(result: IngestResult): IngestResult {
  const counters = ingestCounters();
  noteAppended(result.accepted);
  counters.acceptedMessages += result.accepted;
  counters.rejectedMessages += result.rejected.length;
  counters.duplicateMessagesInBatch += result.duplicates;
  if (!result.rejected.length) {
    counters.requests.accepted++;
    return result;
  }
  if (result.accepted) counters.requests.partial++;
  else counters.requests.rejected++;
  const total = result.accepted + result.duplicates + result.rejected.length;
  throw new AppError('BAD_REQUEST', {
    userMessage: `${result.rejected.length} of ${total} status messages were rejected; the other ${result.accepted} were accepted.`,
    details: {
      ...result,
      fields: result.rejected.map((r) => ({ path: `messages.${r.index}.${r.field}`, message: r.reason })),
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

/** The process-wide ingest gate: `maxRunning` batches at once (four on the event loop alone). */
export function ingestGate(retryAfterSeconds: number, maxRunning = 4): IngestGate {
  return processSingleton('ingestGate', () => new IngestGate({ maxRunning, maxWaiting: 2000, retryAfterSeconds }));
}
