import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { ingestCounters, readStatusCounters } from './counters';
import { readInboxDepth } from '../reporting/inbox-repo';
import { estimateStoredMessages } from './message-repo';
import { countOutboxRows } from './replication-outbox-repo';

function gauge(registry: Registry, name: string, help: string, value: number) {
  new Gauge({ name, help, registers: [registry] }).set(Number.isFinite(value) ? value : 0);
}

function counter(registry: Registry, name: string, help: string, value: number) {
  new Counter({ name, help, registers: [registry] }).inc(Number.isFinite(value) ? value : 0);
}

/**
 * Status message figures for one scrape, as a registry of their own. Ingest counters are this
 * process's (each management point is scraped on its own); Status Manager counters and the
 * gauges are the site's, read from small tables: the inbox holds a few hundred batch rows at
 * most, the counters a few dozen rows, and the stored-message total is the planner's estimate —
 * nothing here counts rows of the message table.
 */
export async function statusMetrics(options: {
  db: pg.Pool;
  /** This process's ingest threads, when it runs them. */
  ingestThreads?: { threads: number; queued: number; utilization: number };
}): Promise<Registry> {
  const [depth, totals, outbox, estimate] = await Promise.all([
    readInboxDepth(options.db),
    readStatusCounters(options.db),
    countOutboxRows(options.db, 100_000),
    estimateStoredMessages(options.db),
  ]);
  const registry = new Registry();
  const ingest = ingestCounters();
  gauge(registry, 'sitebox_status_inbox_messages', "Messages waiting in Status Manager's inbox (the backlog).", depth);
  const requests = new Counter({
    name: 'sitebox_status_ingest_requests_total',
    help: 'Ingest requests answered by this process, by outcome (throttled = 503).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const [outcome, value] of Object.entries(ingest.requests)) requests.inc({ outcome }, value);
  counter(registry, 'sitebox_status_ingested_messages_total', 'Messages this process accepted into the inbox.', ingest.acceptedMessages);
  counter(registry, 'sitebox_status_rejected_messages_total', 'Messages this process refused as invalid.', ingest.rejectedMessages);
  counter(
    registry,
    'sitebox_status_throttled_requests_total',
    'Ingest requests this process answered with 503 (back-pressure).',
    ingest.requests.throttled,
  );
  const threads = options.ingestThreads;
  if (threads) {
    gauge(registry, 'sitebox_status_ingest_threads', 'Threads of this process that parse and store ingested batches.', threads.threads);
    gauge(registry, 'sitebox_status_ingest_thread_queue', 'Batches read and waiting for an ingest thread.', threads.queued);
    gauge(
      registry,
      'sitebox_status_ingest_thread_utilization',
      'Share of time the ingest threads were busy since they started (0 to 1).',
      threads.utilization,
    );
  }
  counter(
    registry,
    'sitebox_status_accepted_messages_total',
    'Messages accepted into the inbox by every management point and server component.',
    totals.accepted,
  );
  counter(registry, 'sitebox_status_processed_messages_total', 'Messages Status Manager processed (all processes).', totals.processed);
  counter(registry, 'sitebox_status_stored_messages_total', 'Messages written to the database by filter rules.', totals.stored);
  counter(registry, 'sitebox_status_duplicate_messages_total', 'Re-delivered messages recognised by uid; no action ran again.', totals.duplicates);
  counter(registry, 'sitebox_status_discarded_messages_total', 'Processed messages no rule wrote to the database.', totals.discarded);
  counter(registry, 'sitebox_status_replication_queued_total', 'Messages queued for the parent site.', totals.replicated);
  counter(registry, 'sitebox_status_replication_forwarded_total', 'Messages the parent site took.', totals.forwarded);
  gauge(registry, 'sitebox_status_replication_outbox_messages', 'Messages waiting to be forwarded to the parent site.', outbox);
  counter(registry, 'sitebox_status_purged_messages_total', 'Messages removed by Delete Aged Status Messages.', totals.purged);
  gauge(registry, 'sitebox_status_messages_stored_estimate', 'Stored status messages (planner estimate).', estimate);
  return registry;
}
