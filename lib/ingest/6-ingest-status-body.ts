import type pg from 'pg';
import { AppError } from '../errors';
import { utf8BodyText } from '../validation/utf8-body';
import { statusBatchSchema, type IngestResult } from '../protocol/status-batch.schema';
import { sentInWireForm } from '../protocol/sent-in-wire-form';
import { appendToInbox, inboxText, type InboxText } from '../reporting/inbox-repo';
import { inboxSender, type StatusSender } from './4-authenticate-status-sender';
import { validateStatusMessages } from './7-validate-status-messages';

/**
 * An ingest request's body, as sent: parses the JSON and the batch envelope (a 400 naming the
 * field when either is wrong, or the body when it is not UTF-8), validates each message, and
 * appends the valid ones to the inbox in one durable statement before telling what was accepted
 * and what refused. Runs on an ingest thread or inline.
 */
export async function ingestStatusBody(options: { db: pg.Pool; body: Uint8Array; sender: StatusSender }): Promise<IngestResult> {
  const { row, firstSending, result } = await checkedBatch(options.body, options.sender);
  await appendToInbox({ db: options.db, messages: row, origin: 'mp', sender: inboxSender(options.sender), firstSending });
  return result;
}

/**
 * The batch parsed and checked, and the inbox row its valid messages make. Nothing else of it
 * outlives this function, so the batch's objects are collected young while the row is written.
 * A batch whose every message was kept, each exactly in wire form, makes a row of the text it
 * came in.
 */
async function checkedBatch(body: Uint8Array, sender: StatusSender): Promise<{ row: InboxText; firstSending?: boolean; result: IngestResult }> {
  const text = utf8BodyText(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
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
  const { valid, rejected, duplicates } = await validateStatusMessages({ batch: batch.data, sender });
  const asSent = !rejected.length && !duplicates && sentInWireForm(json, valid);
  return {
    row: asSent ? { text, count: valid.length } : inboxText(valid),
    firstSending: batch.data.firstSending,
    result: { accepted: valid.length, duplicates, rejected },
  };
}
