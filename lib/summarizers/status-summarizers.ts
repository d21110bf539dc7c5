import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock';
import type { Summarizers } from './summarizer-handoff';
import { summarizeBatch } from './summarize-batch';
import { applyBatchSummary, claimSummarizerBatch, ensureComponents, pruneSummaries, readSiteTimeZones } from './summary-writes-repo';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

const HOUR_MS = 3_600_000;

/** The batch's identity: the same messages handed over again get the same id. */
export function summarizerBatchId(uids: readonly string[]): string {
  const hash = createHash('sha256');
  for (const uid of [...uids].sort()) hash.update(uid);
  return hash.digest('base64url');
}

/**
 * The Component Status and Site System Status summarizers, as Status Manager's hand-off: each
 * batch's messages become increments of per-component day and hour counts, per-site minute
 * rates, component state and availability, site systems' last report and storage objects —
 * inside the batch's transaction, so they commit exactly once with it. The views read these
 * counts; nothing rescans the message table.
 */
export function createStatusSummarizers(options: { db: pg.Pool; log: Logger; clock?: Clock; hourDays?: number; batchDays?: number }): Summarizers {
  const clock = options.clock ?? systemClock;
  let lastPrune = 0;
  let pruning = false;

  const prune = () => {
    const now = clock.now();
    if (pruning || now.getTime() - lastPrune < HOUR_MS) return;
    pruning = true;
    lastPrune = now.getTime();
    pruneSummaries(options.db, { now, hourDays: options.hourDays ?? 45, batchDays: options.batchDays ?? 7 })
      .catch((error) => options.log.warn({ err: error }, 'pruning summaries failed'))
      .finally(() => {
        pruning = false;
      });
  };

  return async ({ client, messages: handed }) => {
    // Client messages are the deployment status summarizer's: a batch of only those costs nothing here.
    const messages = handed.filter((m) => m.message.source !== 'CLIENT');
    if (!messages.length) return;
    if (!(await claimSummarizerBatch(client, summarizerBatchId(messages.map((m) => m.message.uid))))) return;
    const timeZones = await readSiteTimeZones(client, [...new Set(messages.map((m) => m.message.siteCode))]);
    const summary = summarizeBatch({ messages, timeZones });
    if (!summary.components.size) return;
    const ids = await ensureComponents(client, [...summary.components]);
    await applyBatchSummary(client, summary, ids);
    const sites = [...new Set([...summary.components.values()].map((k) => k.siteCode))].sort();
    // Delivered on commit, so live views never see counts a rolled-back batch did not keep.
    await notify(client, channels.statusSummariesChanged, sites.join(','));
    prune();
  };
}
