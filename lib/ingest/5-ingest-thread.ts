// An ingest thread (see 5-ingest-threads.ts): parses, validates and appends batches to the inbox
// with its own database connections, so the management point's event loop only moves bytes.
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { logIdleConnectionErrors } from '../db/pool-errors';
import { AppError } from '../errors';
import type { StatusSender } from './4-authenticate-status-sender';
import type { IngestThreadAnswer } from './5-ingest-threads';
import { ingestStatusBody } from './6-ingest-status-body';

const { connectionString, connections } = workerData as { connectionString: string; connections: number };
const db = logIdleConnectionErrors(
  new pg.Pool({ connectionString, max: connections, connectionTimeoutMillis: 10_000, application_name: 'sitebox-ingest' }),
  'ingest',
);

export default async function ingest(task: { body: Uint8Array; sender: StatusSender }): Promise<IngestThreadAnswer> {
  try {
    return { ok: true, result: await ingestStatusBody({ db, body: task.body, sender: task.sender }) };
  } catch (error) {
    // An AppError is an answer for the client; it crosses the thread boundary as plain data.
    if (error instanceof AppError) return { ok: false, code: error.code, userMessage: error.userMessage, details: error.details };
    throw error;
  }
}
