import { NextResponse } from 'next/server';
import { ZodError } from 'zod';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { AppError } from '@/lib/errors';
import { readJsonBody } from '@/lib/http/read-body';
import { route } from '@/lib/http/route';
import { ingestCounters } from '@/lib/status/counters';
import { checkInboxCapacity, ingestGate, ingestStatusBatch } from '@/lib/status/ingest-status-batch';
import { authenticateStatusSender } from '@/lib/status/authenticate-status-sender';
import { statusBatchSchema } from '@/lib/status/status-batch.schema';

/**
 * The management point's status message ingest: a JSON batch `{ device?, messages: [...] }`
 * from a client (`Authorization: Device …`) or a site system or child site
 * (`Authorization: SiteSystem …`); 401/403 without a valid credential, checked before the body is read.
 * 202 when every message was accepted (appended durably to Status Manager's inbox); 400 listing
 * each refused message while the valid ones are kept; 413 over the body limit; 503 with
 * Retry-After while Status Manager's backlog is over its limit.
 */
export const POST = route({ auth: 'none' }, async ({ req, log }) => {
  const cfg = config();
  const db = pool();
  const retryAfterSeconds = cfg.SITEBOX_STATUS_RETRY_AFTER_SECONDS;
  // Refuse before reading the body: a busy management point spends nothing on the batch.
  await checkInboxCapacity({ db, limit: cfg.SITEBOX_STATUS_INBOX_LIMIT, retryAfterSeconds, log });
  const sender = await authenticateStatusSender({ authorization: req.headers.get('authorization'), db });
  return ingestGate(retryAfterSeconds).run(async () => {
    try {
      const batch = statusBatchSchema.parse(await readJsonBody(req, cfg.SITEBOX_STATUS_MAX_BATCH_BYTES));
      const result = await ingestStatusBatch({ db, batch, sender });
      // no-transform: a few bytes of JSON are not worth compressing, 500 times a second.
      return NextResponse.json(result, { status: 202, headers: { 'Cache-Control': 'no-store, no-transform' } });
    } catch (error) {
      const counters = ingestCounters();
      if (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE') counters.requests.tooLarge++;
      else if (error instanceof ZodError || (error instanceof AppError && error.code === 'BAD_REQUEST' && !error.details)) counters.requests.rejected++;
      throw error;
    }
  });
});
