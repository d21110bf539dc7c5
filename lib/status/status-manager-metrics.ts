import { Counter } from 'prom-client';
import { processMetric } from '../metrics/registry';
import type { BatchResult } from './process-status-batch';

/**
 * This Status Manager process's own figures, beside the site-wide status counters: what its
 * drain loops did. Its worker writes them at each heartbeat.
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
  };
}

export function recordStatusBatch(result: Pick<BatchResult, 'messages' | 'stored'>): void {
  const metrics = statusManagerMetrics();
  if (!result.messages) return;
  metrics.batchesProcessed.inc();
  metrics.messagesProcessed.inc(result.messages);
  metrics.messagesStored.inc(result.stored);
}
