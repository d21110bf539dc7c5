import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { summarizeUsage } from './summarize-usage';
import { addConcurrencySteps, addLastRuns, addPeriodIncrements, lockConcurrencyHorizon, lockUncountedRuns, markRunsCounted } from './summary-repo';

/**
 * One pass of the metering summarizer: takes up to `limit` runs not counted yet, adds them to the
 * per-rule day and month summaries, the latest runs and the steps of runs at once, and marks them
 * counted — all in one transaction, so a pass that fails or is killed counts nothing and its runs
 * wait for the next, and a run is counted exactly once (several summarizers skip each other's
 * locked runs).
 * Returns how many runs it counted (0: nothing waits).
 */
export async function summarizeMeteringUsage(options: { db: pg.Pool; limit?: number }): Promise<number> {
  return inTransaction(options.db, async (client) => {
    const runs = await lockUncountedRuns(client, options.limit ?? 5000);
    if (!runs.length) return 0;
    const horizon = await lockConcurrencyHorizon(client);
    const increments = summarizeUsage(runs, { concurrencyFrom: horizon ?? undefined });
    await addPeriodIncrements(client, increments.periods);
    await addLastRuns(client, increments.computers, increments.users);
    await addConcurrencySteps(client, increments.concurrency);
    await markRunsCounted(client, runs);
    return runs.length;
  });
}
