import type pg from 'pg';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { InventoryAnswer } from '../protocol/inventory.schema';
import { createAcceptanceBatcher } from './acceptance-batcher';
import { wakeInventoryLoader } from './inbox-repo';
import { readInventoryRequest } from './read-inventory-request';

/** The HTTP status of each answer (lib/protocol/inventory.schema.ts). */
const answerStatus = { accepted: 202, duplicate: 200, resync: 409 } as const;

// One batcher per pool (tests pass their own), so concurrent reports share transactions.
const batchers = new WeakMap<pg.Pool, ReturnType<typeof createAcceptanceBatcher>>();
function batcherFor(db: pg.Pool) {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = createAcceptanceBatcher({ db })));
  return batcher;
}

/**
 * POST /api/mp/inventory for an authenticated device: reads and validates the report, refuses
 * another device's (403), and stores it in the loader's inbox unless it is a resend or a delta
 * the site cannot apply. Nothing here looks at a package one by one beyond validation: the
 * loader does that work in batches.
 */
export async function acceptInventoryReport(options: {
  device: { id: number };
  body: Buffer;
  contentEncoding: string | null;
  db?: pg.Pool;
}): Promise<{ status: number; answer: InventoryAnswer }> {
  const { report, compressed } = await readInventoryRequest({ body: options.body, contentEncoding: options.contentEncoding });
  if (report.deviceId !== options.device.id) {
    throw new AppError('FORBIDDEN', {
      userMessage: `deviceId: must be the sending device's own id (${options.device.id})`,
      details: { fields: [{ path: 'deviceId', message: `must be the sending device's own id (${options.device.id})` }] },
    });
  }
  const db = options.db ?? pool();
  const decision = await batcherFor(db).accept(report, compressed);
  if (!decision) throw new AppError('UNAUTHENTICATED', { userMessage: 'Unknown device.' });
  // Outside the transaction, so the many accepting commits do not queue behind one another for
  // PostgreSQL's notification lock, and not waited for; a wake-up lost is made up by the loader's poll.
  if (decision.store) void wakeInventoryLoader(db).catch(() => undefined);
  const answer = decision.answer;
  return { status: answerStatus[answer.status], answer };
}
