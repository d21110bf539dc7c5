import type pg from 'pg';
import { ingestCounters, readStatusCounters } from './counters';
import { readInboxDepth } from '../reporting/inbox-repo';

type Sample = { labels?: Record<string, string>; value: number };

function family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const s of samples) {
    const labels = s.labels
      ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`).join(',')}}`
      : '';
    lines.push(`${name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
  }
  return lines.join('\n');
}

/**
 * Status message metrics in Prometheus's text format. Ingest counters are this process's
 * (each management point is scraped on its own); Status Manager counters and the gauges are
 * the site's, read from small tables: the inbox holds a few hundred batch rows at most, the
 * counters a few dozen rows, and the stored-message total is the planner's estimate — nothing
 * here counts rows of the message table.
 */
export async function renderStatusMetrics(options: {
  db: pg.Pool;
  /** This process's ingest threads, when it runs them. */
  ingestThreads?: { threads: number; queued: number; utilization: number };
}): Promise<string> {
  const [depth, totals, outbox, estimate] = await Promise.all([
    readInboxDepth(options.db),
    readStatusCounters(options.db),
    options.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM replication_outbox LIMIT 100000) o`),
    options.db.query<{ n: string }>(
      `SELECT greatest(reltuples, 0)::bigint::text AS n FROM pg_class WHERE oid = 'status_message'::regclass`,
    ),
  ]);
  const ingest = ingestCounters();
  const requestSamples = Object.entries(ingest.requests).map(([outcome, value]) => ({ labels: { outcome }, value }));
  const threads = options.ingestThreads;
  return `${[
    family('sitebox_status_inbox_messages', 'gauge', 'Messages waiting in Status Manager\'s inbox (the backlog).', [{ value: depth }]),
    family('sitebox_status_ingest_requests_total', 'counter', 'Ingest requests answered by this process, by outcome (throttled = 503).', requestSamples),
    family('sitebox_status_ingested_messages_total', 'counter', 'Messages this process accepted into the inbox.', [{ value: ingest.acceptedMessages }]),
    family('sitebox_status_rejected_messages_total', 'counter', 'Messages this process refused as invalid.', [{ value: ingest.rejectedMessages }]),
    family('sitebox_status_throttled_requests_total', 'counter', 'Ingest requests this process answered with 503 (back-pressure).', [{ value: ingest.requests.throttled }]),
    ...(threads
      ? [
          family('sitebox_status_ingest_threads', 'gauge', 'Threads of this process that parse and store ingested batches.', [{ value: threads.threads }]),
          family('sitebox_status_ingest_thread_queue', 'gauge', 'Batches read and waiting for an ingest thread.', [{ value: threads.queued }]),
          family('sitebox_status_ingest_thread_utilization', 'gauge', 'Share of time the ingest threads were busy since they started (0 to 1).', [{ value: threads.utilization }]),
        ]
      : []),
    family('sitebox_status_accepted_messages_total', 'counter', 'Messages accepted into the inbox by every management point and server component.', [{ value: totals.accepted }]),
    family('sitebox_status_processed_messages_total', 'counter', 'Messages Status Manager processed (all processes).', [{ value: totals.processed }]),
    family('sitebox_status_stored_messages_total', 'counter', 'Messages written to the database by filter rules.', [{ value: totals.stored }]),
    family('sitebox_status_duplicate_messages_total', 'counter', 'Re-delivered messages recognised by uid; no action ran again.', [{ value: totals.duplicates }]),
    family('sitebox_status_discarded_messages_total', 'counter', 'Processed messages no rule wrote to the database.', [{ value: totals.discarded }]),
    family('sitebox_status_replication_queued_total', 'counter', 'Messages queued for the parent site.', [{ value: totals.replicated }]),
    family('sitebox_status_replication_forwarded_total', 'counter', 'Messages the parent site took.', [{ value: totals.forwarded }]),
    family('sitebox_status_replication_outbox_messages', 'gauge', 'Messages waiting to be forwarded to the parent site.', [{ value: Number(outbox.rows[0].n) }]),
    family('sitebox_status_purged_messages_total', 'counter', 'Messages removed by Delete Aged Status Messages.', [{ value: totals.purged }]),
    family('sitebox_status_messages_stored_estimate', 'gauge', 'Stored status messages (planner estimate).', [{ value: Number(estimate.rows[0]?.n ?? 0) }]),
  ].join('\n')}\n`;
}
