import type pg from 'pg';
import type { MeteringUsageRecord } from '../protocol/metering-usage.schema';
import { inSavepoint, inTransaction } from '../db/transaction';
import { isolateFailures } from '../quarantine/isolate-failures';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { summarizeUsage, type UsageRun } from './summarize-usage';
import {
  addConcurrencySteps,
  addLastRuns,
  addPeriodIncrements,
  lockConcurrencyHorizon,
  lockUncountedRuns,
  markRunsCounted,
  setRunAside,
} from './summary-repo';

/** Runs the summarizer cannot count, set aside: an item is one stored run, keyed by device and usage key. */
export const METERING_USAGE_QUARANTINE: QuarantineSource = { name: 'metering-summarizer.usage', component: 'SMS_SOFTWARE_METERING_PROCESSOR' };

/** A run in the quarantine: what the management point stored, to store again on retry. */
export interface QuarantinedRun {
  deviceId: number;
  run: MeteringUsageRecord;
}

/** Adds runs to the summaries and marks them counted, on the caller's transaction. */
async function countRuns(client: pg.PoolClient, runs: readonly (UsageRun & { id: string })[], horizon: Date | null): Promise<void> {
  const increments = summarizeUsage(runs, { concurrencyFrom: horizon ?? undefined });
  await addPeriodIncrements(client, increments.periods);
  await addLastRuns(client, increments.computers, increments.users);
  await addConcurrencySteps(client, increments.concurrency);
  await markRunsCounted(client, runs);
}

/**
 * One pass of the metering summarizer: takes up to `limit` runs not counted yet, adds them to the
 * per-rule day and month summaries, the latest runs and the steps of runs at once, and marks them
 * counted — all in one transaction, so a pass that fails or is killed counts nothing and its runs
 * wait for the next, and a run is counted exactly once (several summarizers skip each other's
 * locked runs). A run whose own data fails the pass is found by halving the batch (each part in a
 * savepoint) and set aside in the quarantine, out of metering_usage, so it never holds up the rest.
 * Returns how many runs left the queue (0: nothing waits).
 */
export async function summarizeMeteringUsage(options: { db: pg.Pool; limit?: number }): Promise<number> {
  return inTransaction(options.db, async (client) => {
    const runs = await lockUncountedRuns(client, options.limit ?? 5000);
    if (!runs.length) return 0;
    const horizon = await lockConcurrencyHorizon(client);
    await isolateFailures({
      items: runs,
      run: (items) => inSavepoint(client, () => countRuns(client, items, horizon)),
      onPoison: async (run, error) => {
        const stored = await setRunAside(client, run);
        if (stored)
          await quarantineItem({
            source: METERING_USAGE_QUARANTINE,
            itemKey: `${stored.deviceId}/${stored.run.usageKey}`,
            item: stored,
            error,
            db: client,
          });
      },
    });
    return runs.length;
  });
}
