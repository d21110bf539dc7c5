import { Counter, Gauge } from 'prom-client';
import { processMetric } from '../metrics/registry';
import { queuedInProcess } from '../reporting/in-process-queue';
import type { BatchResult } from './process-status-batch';

/**
 * This Status Manager process's own figures, beside the site-wide status counters: what its
 * drain loops did, and what its in-memory queue holds. Its worker writes them at each heartbeat.
 */
export function statusManagerMetrics() {
  const counter = (name: string, help: string) => processMetric(name, (registers) => new Counter({ name, help, registers }));
  return {
    batchesProcessed: counter(
      'sitebox_status_manager_batches_processed_total',
      'Drain-loop transactions this Status Manager committed with messages in them.',
    ),
    batchesFailed: counter('sitebox_status_manager_batches_failed_total', 'Drain-loop transactions this Status Manager rolled back on an error.'),
    messagesProcessed: counter('sitebox_status_manager_messages_processed_total', 'Messages this Status Manager processed.'),
    messagesStored: counter('sitebox_status_manager_messages_stored_total', 'Messages this Status Manager wrote to the database.'),
    queued: processMetric(
      'sitebox_status_manager_queued_messages',
      (registers) =>
        new Gauge({
          name: 'sitebox_status_manager_queued_messages',
          help: "Messages in this process's in-memory queue.",
          registers,
          collect() {
            this.set(queuedInProcess());
          },
        }),
    ),
  };
}

export function recordStatusBatch(result: Pick<BatchResult, 'messages' | 'stored'>): void {
  const metrics = statusManagerMetrics();
  if (!result.messages) return;
  metrics.batchesProcessed.inc();
  metrics.messagesProcessed.inc(result.messages);
  metrics.messagesStored.inc(result.stored);
}
