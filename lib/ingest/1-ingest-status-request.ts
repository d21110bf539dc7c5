import type { Logger } from 'pino';
import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import { runtime } from '../runtime';
import { authenticateStatusSender } from './4-authenticate-status-sender';
import { ingestCounters } from '../status/counters';
import { answerIngest, checkInboxCapacity, ingestGate, ingestStatusBody } from './7-validate-status-messages';
import type { IngestResult } from '../protocol/status-batch.schema';

/**
 * One request to the management point's status message ingest, whichever server reads it:
 * 503 with Retry-After while Status Manager's backlog is over its limit, 401/403 without a
 * valid credential (both before the body is read, so a refused request costs nothing), then
 * the batch on an ingest thread (or this one) and the answer: accepted, or a 400 listing each
 * refused message while the valid ones are kept.
 */
export async function ingestStatusRequest(options: {
  authorization: string | null;
  readBody: (maxBytes: number) => Promise<Uint8Array>;
  log: Logger;
}): Promise<IngestResult> {
  const cfg = config();
  const db = pool();
  const retryAfterSeconds = cfg.SITEBOX_STATUS_RETRY_AFTER_SECONDS;
  await checkInboxCapacity({ db, limit: cfg.SITEBOX_STATUS_INBOX_LIMIT, retryAfterSeconds, log: options.log });
  // The ingest threads when server.ts started them; this thread otherwise (tests, SITEBOX_STATUS_INGEST_THREADS=0).
  const threads = runtime().statusIngest;
  const result = await ingestGate(retryAfterSeconds, threads?.capacity).run(async () => {
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
  return answerIngest(result);
}
