import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../db/transaction';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { statusMessageIds } from '../reporting/catalog';
import { addStatusCounters } from './counters';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { backoffMs, retryAfterMs } from '../retry-delay';
import type { ChildSiteLinkReport } from '../protocol/child-site-link.schema';
import { readSite } from './site-hierarchy-repo';
import { deleteOutboxRows, lockDueOutboxRows, oldestQueuedAt, outboxBacklog, recordLinkAttempt, type LinkAttempt } from './replication-outbox-repo';
import { parentLinkFailure } from './parent-link-failure';

/** Outbox rows counted per priority for a link report, at most (a long outage never makes counting slow). */
const BACKLOG_CAP = 100_000;

/** The replication outbox in the quarantine: an item is one message the parent cannot take on its own, keyed by uid. */
export const REPLICATION_QUARANTINE: QuarantineSource = { name: 'status-manager.replication', component: 'SMS_STATUS_MANAGER' };

export interface ForwardResult {
  /** Messages the parent took (or refused for good, which are logged and dropped; or set aside in quarantine). */
  sent: number;
  /** Messages left for a later try because the parent was unreachable or busy. */
  deferred: number;
  /** True when the link is backing off and nothing was tried. */
  waiting?: boolean;
  /** True when the batch was halved and the next one should be tried at once. */
  retryNow?: boolean;
}

/**
 * Forwards the replication outbox to the parent site's ingest endpoint: the highest priority
 * first, oldest first within a priority, one batch per call. Rows stay locked (SKIP LOCKED, so
 * several Status Managers share the work) until the parent answers; they are deleted when it
 * accepts and stay in the outbox when it is down or busy, so nothing is lost while the parent
 * is away. The link, not each row, waits a growing delay (at most `maxRetryMs`) between
 * attempts, so the first attempt that succeeds is followed at once by the rest of the outbox. A batch too large is halved; a single message still too large
 * (a poison item at the head of the outbox) is set aside in quarantine so the rest can go.
 */
export function createReplicationForwarder(options: {
  db: pg.Pool;
  parentUrl: string;
  /** This site's credential at the parent (`SiteSystem <id>.<secret>`, issued by the parent). */
  parentCredential: string;
  /** This site's code: its name, read from its site row, goes with each link report. */
  siteCode?: string;
  log: Logger;
  fetch?: typeof fetch;
  batchSize?: number;
  timeoutMs?: number;
  /** First retry delay of the link after a failure (doubling, with jitter); default 1 s. */
  initialRetryMs?: number;
  /** Longest wait between two attempts while the parent is away; default 5 s. */
  maxRetryMs?: number;
  now?: () => number;
  /** Least time between two reports of this link to the parent (its backlog, its failures); default 5 s. */
  reportEveryMs?: number;
}) {
  const doFetch = options.fetch ?? fetch;
  const endpoint = new URL('/api/mp/status-messages', options.parentUrl).toString();
  const linkEndpoint = new URL('/api/mp/child-site-link', options.parentUrl).toString();
  let lastReportAt = -Infinity;
  const fullBatch = options.batchSize ?? 500;
  let batchSize = fullBatch;
  let outage = false;
  /** Consecutive failed attempts of the link, and when the next one may be made. */
  let failedAttempts = 0;
  let nextAttemptAt = 0;
  let retryAfter: number | null = null;
  const now = options.now ?? Date.now;
  let refusedReported = false;
  // The link's state for the Site Hierarchy view; a failure to record it never stops forwarding.
  const record = (attempt: LinkAttempt) =>
    recordLinkAttempt(options.db, options.parentUrl, attempt).catch((error) =>
      options.log.warn({ err: error }, 'could not record the state of the link to the parent site'),
    );

  /**
   * Tells the parent what waits here (it cannot see this outbox), at most every reportEveryMs
   * while the parent answers; a parent that cannot take the report changes nothing here.
   */
  async function reportLink(): Promise<void> {
    if (now() - lastReportAt < (options.reportEveryMs ?? 5000)) return;
    lastReportAt = now();
    try {
      const [backlog, oldest, site] = await Promise.all([
        outboxBacklog(options.db, BACKLOG_CAP),
        oldestQueuedAt(options.db),
        options.siteCode ? readSite(options.db, options.siteCode) : null,
      ]);
      const report: ChildSiteLinkReport = {
        backlog: { HIGH: backlog.HIGH ?? 0, MEDIUM: backlog.MEDIUM ?? 0, LOW: backlog.LOW ?? 0 },
        consecutiveFailures: failedAttempts,
        oldestQueuedAt: oldest?.toISOString() ?? null,
        ...(site ? { siteName: site.name } : {}),
      };
      const response = await doFetch(linkEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: options.parentCredential },
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      await response.body?.cancel();
      if (!response.ok) options.log.debug({ status: response.status }, 'the parent site did not take the link report');
    } catch (error) {
      options.log.debug({ err: error }, 'could not report the link to the parent site');
    }
  }

  async function tick(): Promise<ForwardResult> {
    const result = await forward();
    if (!result.waiting && !result.deferred) await reportLink();
    return result;
  }

  async function forward(): Promise<ForwardResult> {
    if (now() < nextAttemptAt) return { sent: 0, deferred: 0, waiting: true };
    // The rows stay locked while the parent is asked, so no other forwarder sends them too.
    const outcome = await inTransaction(options.db, async (client) => {
      const rows = await lockDueOutboxRows(client, batchSize);
      if (!rows.length) return { kind: 'idle' as const };
      const ids = rows.map((r) => r.id);
      let failure: { reason: string; retryAfter: number | null; halved?: boolean; refused?: boolean } | null = null;
      let tooLarge = false;
      try {
        const response = await doFetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: options.parentCredential },
          body: JSON.stringify({ messages: rows.map((r) => r.payload) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
        if (response.status === 202 || response.status === 200) {
          await response.body?.cancel();
        } else if (response.status === 400) {
          // The parent kept the valid ones; the others will never pass, so they are dropped.
          const body = (await response.json().catch(() => null)) as { error?: { details?: { rejected?: unknown[] } } } | null;
          options.log.warn({ rejected: body?.error?.details?.rejected ?? 'unknown' }, 'the parent site refused some replicated messages');
        } else if (response.status === 413 && rows.length > 1) {
          await response.body?.cancel();
          batchSize = Math.max(1, Math.floor(rows.length / 2));
          failure = { reason: 'batch too large', retryAfter: 0, halved: true };
        } else if (response.status === 413) {
          await response.body?.cancel();
          tooLarge = true;
        } else if (response.status === 401 || response.status === 403) {
          await response.body?.cancel();
          failure = { reason: `HTTP ${response.status}: the parent refuses this site's credential`, retryAfter: null, refused: true };
        } else {
          await response.body?.cancel();
          failure = { reason: `HTTP ${response.status}`, retryAfter: retryAfterMs(response.headers.get('retry-after')) };
        }
      } catch (error) {
        failure = { reason: parentLinkFailure(error), retryAfter: null };
      }

      if (tooLarge) {
        const [row] = rows;
        await deleteOutboxRows(client, [row.id]);
        await quarantineItem({
          source: REPLICATION_QUARANTINE,
          itemKey: row.uid,
          item: { priority: row.priority_name, message: row.payload },
          error: new Error(`the parent site ${options.parentUrl} refuses the message as too large (HTTP 413)`),
          db: client,
        });
        return { kind: 'tooLarge' as const, uid: row.uid };
      }
      if (!failure) {
        await deleteOutboxRows(client, ids);
        await addStatusCounters(client, { forwarded: rows.length });
        return { kind: 'sent' as const, count: rows.length };
      }
      const reason = failure.reason;
      // The rows stay due (the rollback-free commit just releases their locks): the link backs
      // off as a whole, so the whole outbox drains in priority order as soon as the parent answers.
      retryAfter = failure.retryAfter;
      if (failure.halved) return { kind: 'halved' as const };
      return { kind: 'deferred' as const, count: rows.length, reason, refused: failure.refused === true };
    });

    // What follows the commit.
    switch (outcome.kind) {
      case 'idle':
        return { sent: 0, deferred: 0 };
      case 'halved':
        // Not a failure of the link: the next tick tries the smaller batch at once.
        return { sent: 0, deferred: 0, retryNow: true };
      case 'tooLarge':
        failedAttempts = 0;
        nextAttemptAt = 0;
        options.log.error({ uid: outcome.uid }, 'the parent site refuses a replicated message as too large; set aside in quarantine');
        batchSize = fullBatch;
        return { sent: 1, deferred: 0 };
      case 'sent':
        failedAttempts = 0;
        nextAttemptAt = 0;
        refusedReported = false;
        await record({ ok: true });
        // Back to full batches once what was too large has gone.
        batchSize = Math.min(fullBatch, batchSize * 2);
        if (outage) options.log.info({ parent: options.parentUrl }, 'the parent site takes replicated messages again');
        outage = false;
        return { sent: outcome.count, deferred: 0 };
      case 'deferred':
        nextAttemptAt =
          now() +
          Math.max(
            retryAfter ?? 0,
            backoffMs({ attempt: failedAttempts, initialMs: options.initialRetryMs ?? 1000, maxMs: options.maxRetryMs ?? 5000 }),
          );
        failedAttempts += 1;
        await record({ ok: false, consecutiveFailures: failedAttempts, error: outcome.reason, credentialRefused: outcome.refused });
        if (outcome.refused && !refusedReported) {
          refusedReported = true;
          options.log.error({ parent: options.parentUrl }, "the parent site refuses this site's credential");
          const refusal = serverMessage({
            messageId: statusMessageIds.replicationCredentialRefused,
            component: 'SMS_STATUS_MANAGER',
            insertionStrings: [options.parentUrl, outcome.reason],
          });
          await reportServerMessage({ messages: refusal }).catch(() => undefined);
        }
        if (!outage) {
          outage = true;
          options.log.warn(
            { parent: options.parentUrl, reason: outcome.reason },
            'cannot reach the parent site; replicated messages wait in the outbox',
          );
          const message = serverMessage({
            messageId: statusMessageIds.replicationDelayed,
            component: 'SMS_STATUS_MANAGER',
            insertionStrings: [String(outcome.count), options.parentUrl, outcome.reason],
          });
          await reportServerMessage({ messages: message }).catch(() => undefined);
        }
        return { sent: 0, deferred: outcome.count };
    }
  }

  return { tick, failedAttempts: () => failedAttempts };
}
