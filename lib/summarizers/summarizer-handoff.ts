import type pg from 'pg';
import type { InboxMessage } from '../reporting/inbox-repo';

/** A message as the summarizers receive it: what was reported, and when the site received it. */
export interface SummarizedMessage {
  message: InboxMessage;
  receivedAt: Date;
}

/**
 * What Status Manager hands to the status summarizers: the messages of one committed-together
 * batch that no matching rule kept from them, each seen for the first time. `client` is inside
 * the batch's transaction, so counts recorded with it commit exactly when the batch does (and a
 * retried batch is never counted twice); `batchId` is unique per call.
 */
export interface SummarizerHandoff {
  client: pg.PoolClient;
  batchId: string;
  messages: readonly SummarizedMessage[];
}

export type Summarizers = (handoff: SummarizerHandoff) => Promise<void>;

/** For a Status Manager started without summarizers (tests, benchmarks): messages stop here. */
export const noSummarizers: Summarizers = async () => {};

/**
 * Runs several summarizers on each hand-off, one after another in the batch's transaction
 * (each sees the same messages; a failure rolls the whole batch back for a retry).
 */
export function composeSummarizers(...list: Summarizers[]): Summarizers {
  return async (handoff) => {
    for (const summarize of list) await summarize(handoff);
  };
}
