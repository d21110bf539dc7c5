import type pg from 'pg';
import { readStatusCounters, type StatusCounterName } from './counters';
import { countQuarantinedItems } from '../quarantine/repo';
import { readInboxDepth } from '../reporting/inbox-repo';

/** What the console shows of Status Manager: the backlog and the site-wide counters at one moment. */
export interface StatusManagerState {
  at: string;
  inbox: { messages: number; limit: number; overLimit: boolean };
  /** Totals since the database was created; rates are the difference between two readings. */
  totals: Record<StatusCounterName, number>;
  /** Items queue consumers set aside and nobody has retried or discarded yet. */
  quarantined: number;
}

/** Cheap enough to poll every few seconds: a sum over the inbox's batch rows and the counter rows. */
export async function readStatusManagerState(options: { db: pg.Pool; inboxLimit: number }): Promise<StatusManagerState> {
  const [messages, totals, quarantined] = await Promise.all([
    readInboxDepth(options.db),
    readStatusCounters(options.db),
    countQuarantinedItems(options.db),
  ]);
  return {
    at: new Date().toISOString(),
    inbox: { messages, limit: options.inboxLimit, overLimit: messages > options.inboxLimit },
    totals,
    quarantined,
  };
}
