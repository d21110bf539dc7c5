import { AppError } from '../errors';
import type { IngestResult } from '../protocol/status-batch.schema';
import { ingestCounters } from '../status/counters';

/**
 * Counts an ingest outcome in this process's metrics; a batch with refused messages becomes a
 * 400 listing each refused index with its field and reason (the valid ones are already kept, so
 * the reporter drops exactly those and never resends the rest).
 */
export function answerIngest(result: IngestResult): IngestResult {
  const counters = ingestCounters();
  counters.acceptedMessages += result.accepted;
  counters.rejectedMessages += result.rejected.length;
  counters.duplicateMessagesInBatch += result.duplicates;
  if (!result.rejected.length) {
    counters.requests.accepted++;
    return result;
  }
  if (result.accepted) counters.requests.partial++;
  else counters.requests.rejected++;
  const total = result.accepted + result.duplicates + result.rejected.length;
  throw new AppError('BAD_REQUEST', {
    userMessage: `${result.rejected.length} of ${total} status messages were rejected; the other ${result.accepted} were accepted.`,
    details: {
      ...result,
      fields: result.rejected.map((r) => ({ path: `messages.${r.index}.${r.field}`, message: r.reason })),
    },
  });
}
