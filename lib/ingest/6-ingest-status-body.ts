import type pg from 'pg';
import { AppError } from '../errors';
import { statusBatchSchema, type IngestResult } from '../protocol/status-batch.schema';
import { sentInWireForm } from '../protocol/sent-in-wire-form';
import { appendToInbox } from '../reporting/inbox-repo';
import { inboxSender, type StatusSender } from './4-authenticate-status-sender';
import { validateStatusMessages } from './7-validate-status-messages';

/**
 * An ingest request's body, as sent: parses the JSON and the batch envelope (a 400 naming the
 * field when either is wrong), validates each message, and appends the valid ones to the inbox
 * in one durable statement before telling what was accepted and what refused. A batch whose
 * every message was kept, each exactly in wire form, goes into the inbox as the text it came in. Runs on an
 * ingest thread or inline.
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
  const { valid, rejected, duplicates } = await validateStatusMessages({ batch: batch.data, sender: options.sender });
  await appendToInbox({
    db: options.db,
    messages: valid,
    // A batch that is already what the inbox holds is stored as it came (a reporter's always is).
    asSent: !rejected.length && !duplicates && sentInWireForm(json, valid) ? text : undefined,
    origin: 'mp',
    sender: inboxSender(options.sender),
    firstSending: batch.data.firstSending,
  });
  return { accepted: valid.length, duplicates, rejected };
}
