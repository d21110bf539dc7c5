import type { Logger } from 'pino';
import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { IngestResult } from '../protocol/status-batch.schema';
import { ingestCounters } from '../status/counters';
import { checkInboxCapacity, noteAppendedToInbox } from './2-check-inbox-capacity';
import { ingestGate } from './3-ingest-gate';
import { authenticateStatusSender } from './4-authenticate-status-sender';
import { ingestThreads } from './5-ingest-threads';
import { ingestStatusBody } from './6-ingest-status-body';
import { answerIngest } from './8-answer-ingest';

// Requests waiting at the gate before the management point answers 503 at once.
const MAX_WAITING = 2000;
// Batches parsed at once when they are parsed on the event loop itself.
const INLINE_RUNNING = 4;
// A body declared this small (a client's acknowledgement or action result: a message or a few)
// is parsed on the event loop: less work than handing it to a thread and back.
const SMALL_BATCH_BYTES = 16 * 1024;

/**
 * One request to the management point's status message ingest, whichever server reads it, in
 * the order of this folder's files: 503 with Retry-After while Status Manager's backlog is over
 * its limit, then a place at the gate, then 401/403 without a valid credential (all before the
 * body is read, so a refused request costs nothing), then the batch on an ingest thread (or
 * this one) and the answer: accepted, or a 400 listing each refused message while the valid
 * ones are kept.
 */
export async function ingestStatusRequest(options: {
  authorization: string | null;
  /** The request's Content-Length, when it has one. */
  declaredBytes?: number | null;
  readBody: (maxBytes: number) => Promise<Uint8Array>;
  log: Logger;
}): Promise<IngestResult> {
  const cfg = config();
  const db = pool();
  const retryAfterSeconds = cfg.SITEBOX_STATUS_RETRY_AFTER_SECONDS;
  await checkInboxCapacity({ db, limit: cfg.SITEBOX_STATUS_INBOX_LIMIT, retryAfterSeconds, log: options.log });
  // The ingest threads when server.ts started them; this thread otherwise (tests, SITEBOX_STATUS_INGEST_THREADS=0).
  // Large batches (or of unknown size) to the threads when there are any; small ones here, through a gate of their own.
  const declared = options.declaredBytes ?? null;
  const threads = declared !== null && declared <= SMALL_BATCH_BYTES ? undefined : ingestThreads();
  const gate = ingestGate({ maxRunning: threads?.capacity ?? INLINE_RUNNING, maxWaiting: MAX_WAITING, retryAfterSeconds });
  const result = await gate.run(async () => {
    // Inside the gate: when hundreds of clients report at once, their credential checks do not
    // take every database connection the console's requests need.
    const sender = await authenticateStatusSender({ authorization: options.authorization, db });
    try {
      const body = await options.readBody(cfg.SITEBOX_STATUS_MAX_BATCH_BYTES);
      return threads ? await threads.ingest(body, sender) : await ingestStatusBody({ db, body, sender });
    } catch (error) {
      const counters = ingestCounters();
      if (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE') counters.requests.tooLarge++;
      else if (error instanceof AppError && error.code === 'BAD_REQUEST') counters.requests.rejected++;
      throw error;
    }
  });
  noteAppendedToInbox(result.accepted);
  return answerIngest(result);
}
