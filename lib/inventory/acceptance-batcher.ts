import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import type { InventoryReport } from '../protocol/inventory.schema';
import { decideAcceptance, type InventoryAcceptance } from './decide-acceptance';
import { insertInboxReports, lockInventoryHoldings } from './inbox-repo';

interface Pending {
  report: InventoryReport;
  body: Buffer;
  resolve(decision: InventoryAcceptance | null): void;
  reject(error: unknown): void;
}

/** Reports accepted in one transaction at most. */
const MAX_BATCH = 200;

/**
 * Group commit for inventory acceptance: the reports that arrive while one transaction commits
 * are decided and stored together in the next (one lock query, one insert, one commit for all),
 * instead of one transaction each — a fleet's deltas arrive hundreds at a time. A device has at
 * most one report in a batch, so its second one is decided on what its first left. A batch that
 * fails is retried one report at a time, so a bad report fails only its own request.
 * Resolves null for a device that does not exist.
 */
export function createAcceptanceBatcher(options: { db: pg.Pool; maxBatch?: number }) {
  const maxBatch = options.maxBatch ?? MAX_BATCH;
  const queue: Pending[] = [];
  let draining = false;

  async function acceptTogether(batch: readonly Pending[]): Promise<void> {
    const decisions = await inTransaction(options.db, async (client) => {
      const holdings = await lockInventoryHoldings(
        client,
        batch.map((p) => ({ deviceId: p.report.deviceId, reportId: p.report.reportId })),
      );
      const decided = batch.map((p) => {
        const holding = holdings.get(p.report.deviceId);
        return holding ? decideAcceptance(p.report, holding) : null;
      });
      await insertInboxReports(
        client,
        batch.filter((_, i) => decided[i]?.store).map((p) => ({ report: p.report, body: p.body })),
      );
      return decided;
    });
    batch.forEach((p, i) => p.resolve(decisions[i]));
  }

  /** The next batch: queue order, at most one report per device and maxBatch in all. */
  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const devices = new Set<number>();
    const rest: Pending[] = [];
    for (const p of queue) {
      if (batch.length < maxBatch && !devices.has(p.report.deviceId)) {
        batch.push(p);
        devices.add(p.report.deviceId);
      } else {
        rest.push(p);
      }
    }
    queue.splice(0, queue.length, ...rest);
    return batch;
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length) {
        const batch = takeBatch();
        try {
          await acceptTogether(batch);
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else for (const p of batch) await acceptTogether([p]).catch((e: unknown) => p.reject(e));
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    accept(report: InventoryReport, body: Buffer): Promise<InventoryAcceptance | null> {
      return new Promise((resolve, reject) => {
        queue.push({ report, body, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
