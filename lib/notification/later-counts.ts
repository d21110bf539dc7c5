import type { ClientOperationPage, ClientOperationRow, OperationProgress } from './client-operation.schema';
import { deriveOperationCounts } from './operation-counts';

/**
 * Two countings of an operation's targets reach a console page by two ways: pushed on the live
 * channel, and with the list it fetches. A list read before the last results committed can arrive
 * after the push that told them; keeping the later counting by its stamp keeps the page from
 * falling back to the older counts, which no further push would correct.
 */
function withStates(row: ClientOperationRow, states: ClientOperationRow['states'], countsAsOf: number, now: Date): ClientOperationRow {
  return {
    ...row,
    states,
    countsAsOf,
    counts: deriveOperationCounts({ states, validUntil: row.validUntil, cancelledAt: row.cancelledAt, now }),
  };
}

/** The page's rows with the pushed countings that are later than what they hold. */
export function applyProgress(page: ClientOperationPage, progress: readonly OperationProgress[], now: Date): ClientOperationPage {
  const byId = new Map(progress.map((p) => [p.id, p]));
  return {
    ...page,
    rows: page.rows.map((row) => {
      const pushed = byId.get(row.id);
      return pushed && pushed.asOf > row.countsAsOf ? withStates(row, pushed.states, pushed.asOf, now) : row;
    }),
  };
}

/** A fetched page, each row's counts kept from the held page where those were counted later. */
export function keepLaterCounts(held: ClientOperationPage | undefined, fetched: ClientOperationPage, now: Date): ClientOperationPage {
  if (!held) return fetched;
  const heldById = new Map(held.rows.map((r) => [r.id, r]));
  return {
    ...fetched,
    rows: fetched.rows.map((row) => {
      const kept = heldById.get(row.id);
      return kept && kept.countsAsOf > row.countsAsOf ? withStates(row, kept.states, kept.countsAsOf, now) : row;
    }),
  };
}
