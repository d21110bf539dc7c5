import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { inSavepoint, inTransaction } from '../db/transaction';
import { isolateFailures } from '../quarantine/isolate-failures';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { addStatusCounters } from './counters';
import { evaluateRules, type MessageActions } from './evaluate-rules';
import { applyReportingProperties, type ReportingProperties } from './reporting-properties';
import type { InboxMessage } from '../reporting/inbox-repo';
import { claimInboxBatches } from './claim-inbox-batches-repo';
import { lockSenders } from './sender-locks-repo';
import {
  enqueueReplication,
  findLedgeredUids,
  insertStatusMessages,
  lastMessageId,
  ledgerUids,
  recordProcessedUids,
  type StoredMessageRow,
} from './message-repo';
import type { ProgramRunner } from './run-program';
import type { FilterRule } from './status-filter-rule.schema';
import { toWireStatusMessage, type StatusMessage } from '../reporting/status-message.schema';
import type { StoredNotice } from './stored-notice.schema';
import type { SummarizedMessage, Summarizers } from '../summarizers/summarizer-handoff';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

const DAY_MS = 86_400_000;

/**
 * How a message may have reached the site before, which decides where it is looked for:
 * - `first`: its sender vouched it was never sent before: not looked for among stored messages.
 *   Should a retry of it have been processed first (its first sending held up at a management
 *   point while the sender gave up and sent it again), that retry put its uid in the processed-uid
 *   ledger, where every message is looked for.
 * - `repeat`: its sender marks first sendings and did not mark this one: looked for, and put in
 *   the ledger when stored.
 * - `unmarked`: the site's own, or from a sender that never marks first sendings (a child site's
 *   replication): looked for; no first sending of it can follow, so it stays out of the ledger.
 */
type Sending = 'first' | 'repeat' | 'unmarked';
const CAUTION: Record<Sending, number> = { first: 0, unmarked: 1, repeat: 2 };

/** A message taken from the inbox or handed in directly. */
interface IncomingMessage {
  message: InboxMessage;
  receivedAt: Date;
  sending: Sending;
}

/** A message Status Manager has evaluated, with what the rules decided. */
export interface ProcessedMessage extends SummarizedMessage {
  actions: MessageActions;
}

/** Where actions that are not database writes go. */
export interface StatusManagerEffects {
  /** Status summarizers: called inside the batch's transaction, so what they record commits with it. */
  summarizers: Summarizers;
  /** "Report to the event log", after the batch commits. */
  eventLog(message: InboxMessage): void;
  /** Programs and webhooks, after the batch commits. */
  programs: Pick<ProgramRunner, 'run'>;
  /** False when this site has no parent: "replicate to parent" then has nowhere to go. */
  replicationEnabled: boolean;
}

export interface BatchResult {
  /** Inbox rows taken. */
  batches: number;
  /** Messages taken from the inbox and handed in directly. */
  messages: number;
  /** Messages seen for the first time, whose actions ran. */
  fresh: number;
  stored: number;
  /** Messages processed before (a retried batch, a re-delivery): no action ran again. */
  duplicates: number;
  replicated: number;
  /** Messages that could not be written on their own, set aside in quarantine. */
  quarantined: number;
}

/** Status Manager's inbox in the quarantine: an item is one message, keyed by its uid. */
export const STATUS_INBOX_QUARANTINE: QuarantineSource = { name: 'status-manager.inbox', component: 'SMS_STATUS_MANAGER' };

/**
 * One Status Manager transaction: takes the oldest inbox batches no other Status Manager holds
 * (plus any messages handed in directly), waits for any other transaction holding
 * batches of the same senders to end (see lockSenders), evaluates each message against the
 * filter rules, writes those the rules keep in one statement with their retention stamped,
 * records the others in the processed-uid ledger, queues replication, hands the rest to the
 * summarizers, and commits. Only messages seen for the first time run actions; program and
 * event-log actions run after the commit. A message that cannot be written on its own (a poison
 * item) is set aside in quarantine with an Error status message, and the others are written; any
 * other failure rolls the batches back into the inbox.
 */
export async function processStatusBatch(options: {
  db: pg.Pool;
  /**
   * The filter rules, or how to read them: read after the inbox is claimed, so a rule change
   * committed before a message arrived applies to it.
   */
  rules: readonly FilterRule[] | (() => Promise<readonly FilterRule[]>);
  effects: StatusManagerEffects;
  maxBatches: number;
  /** Messages handed in directly besides the inbox's, received now (tests feed batches this way). */
  queued?: readonly StatusMessage[];
  /** The site's status reporting properties and default retention (site settings), when known. */
  reporting?: { properties: ReportingProperties; defaultRetentionDays: number };
  log: Logger;
  now?: () => Date;
}): Promise<BatchResult> {
  const now = options.now ?? (() => new Date());
  const after: (() => void)[] = [];
  const result = await inTransaction(options.db, async (client): Promise<BatchResult> => {
    const batches = await claimInboxBatches(client, options.maxBatches);
    // Before anything is looked up: a transaction holding a retry of these batches waits for this one.
    await lockSenders(client, batches);
    const arrivedNow = now();
    const incoming: IncomingMessage[] = [];
    for (const batch of batches) {
      const sending: Sending = batch.sender === null || batch.firstSending === null ? 'unmarked' : batch.firstSending ? 'first' : 'repeat';
      for (const message of batch.messages) incoming.push({ message, receivedAt: batch.receivedAt, sending });
    }
    for (const message of options.queued ?? []) incoming.push({ message: toWireStatusMessage(message), receivedAt: arrivedNow, sending: 'unmarked' });
    if (!incoming.length) {
      return { batches: 0, messages: 0, fresh: 0, stored: 0, duplicates: 0, replicated: 0, quarantined: 0 };
    }
    // Only when there is something to filter: an idle site's polls stay one statement each.
    const rules = typeof options.rules === 'function' ? await options.rules() : options.rules;

    // The same uid twice in one transaction (a batch and its retry claimed together): once,
    // treated as the most cautious of its copies.
    const unique = new Map<string, IncomingMessage>();
    for (const item of incoming) {
      const kept = unique.get(item.message.uid);
      if (!kept) unique.set(item.message.uid, item);
      else if (CAUTION[item.sending] > CAUTION[kept.sending]) kept.sending = item.sending;
    }
    // In the ledger (processed before without being stored, or stored from a retry): recognised,
    // nothing runs again. (Other messages stored before are recognised when written: see insertStatusMessages.)
    const known = await findLedgeredUids(client, [...unique.keys()]);
    const idsAfter = await lastMessageId(client);

    // A message that cannot be written (a poison item) is set aside on its own, in this
    // transaction; the others are written. A transient failure still rolls the whole batch back.
    const isolated = await isolateFailures({
      items: [...unique.values()].filter((item) => !known.has(item.message.uid)),
      run: (items) => inSavepoint(client, () => writeMessages({ client, items, rules, reporting: options.reporting, effects: options.effects })),
      onPoison: async (item, error) => {
        options.log.error({ err: error, uid: item.message.uid }, 'status message set aside in quarantine');
        await quarantineItem({ source: STATUS_INBOX_QUARANTINE, itemKey: item.message.uid, item: item.message, error, db: client });
      },
    });
    const inserted = new Set(isolated.results.flatMap((r) => [...r.inserted]));
    const fresh = isolated.results.flatMap((r) => r.fresh);
    const replicated = isolated.results.reduce((sum, r) => sum + r.replicated, 0);
    const quarantined = isolated.poisoned.length;

    const duplicates = incoming.length - fresh.length - quarantined;
    await addStatusCounters(client, {
      processed: incoming.length,
      stored: inserted.size,
      duplicates,
      discarded: fresh.length - inserted.size,
      replicated,
    });
    if (inserted.size) {
      const notice: StoredNotice = { stored: inserted.size, after: idsAfter, upTo: await lastMessageId(client) };
      await notify(client, channels.statusMessagesStored, JSON.stringify(notice));
    }

    for (const p of fresh) {
      if (p.actions.reportToEventLog) after.push(() => options.effects.eventLog(p.message));
      for (const { ruleName, program } of p.actions.programs) {
        after.push(() => options.effects.programs.run({ ruleName, program, message: p.message }));
      }
    }
    return {
      batches: batches.length,
      messages: incoming.length,
      fresh: fresh.length,
      stored: inserted.size,
      duplicates,
      replicated,
      quarantined,
    };
  });
  for (const effect of after) {
    try {
      effect();
    } catch (error) {
      options.log.warn({ err: error }, 'status message action failed');
    }
  }
  return result;
}

/**
 * Evaluates messages seen for the first time against the rules and writes them: those the rules
 * keep into status_message with their retention stamped, the others into the processed-uid
 * ledger; queues replication and hands the fresh ones to the summarizers.
 */
async function writeMessages(options: {
  client: pg.PoolClient;
  items: readonly IncomingMessage[];
  rules: readonly FilterRule[];
  reporting?: { properties: ReportingProperties; defaultRetentionDays: number };
  effects: StatusManagerEffects;
}): Promise<{ inserted: Set<string>; fresh: ProcessedMessage[]; replicated: number }> {
  const { client } = options;
  const toStore: StoredMessageRow[] = [];
  const notStored: { uid: string; receivedAt: Date; firstSending: boolean }[] = [];
  const repeats = new Set<string>();
  const evaluated: ProcessedMessage[] = [];
  for (const item of options.items) {
    const evaluation = evaluateRules({ message: item.message, rules: options.rules, defaultRetentionDays: options.reporting?.defaultRetentionDays });
    const actions = options.reporting ? applyReportingProperties(item.message, evaluation.actions, options.reporting.properties) : evaluation.actions;
    // Written out rather than spread: V8 builds `{ ...item, more }` in its slow form, per message here.
    evaluated.push({ message: item.message, receivedAt: item.receivedAt, actions });
    if (actions.writeToDatabase) {
      toStore.push({
        message: item.message,
        receivedAt: item.receivedAt,
        expiresAt: new Date(item.receivedAt.getTime() + (actions.retentionDays ?? 0) * DAY_MS),
        firstSending: item.sending === 'first',
      });
      if (item.sending === 'repeat') repeats.add(item.message.uid);
    } else {
      notStored.push({ uid: item.message.uid, receivedAt: item.receivedAt, firstSending: item.sending === 'first' });
    }
  }

  const inserted = await insertStatusMessages(client, toStore);
  // A retry stored now goes into the ledger too: its first sending, should it reach the site only
  // now, is not looked for among stored messages but is in the ledger.
  await ledgerUids(
    client,
    [...repeats].filter((uid) => inserted.has(uid)),
  );
  const firstSeen = await recordProcessedUids(client, notStored);
  const fresh = evaluated.filter((p) => inserted.has(p.message.uid) || firstSeen.has(p.message.uid));

  const replication = options.effects.replicationEnabled
    ? fresh
        .filter((p) => p.actions.replicateToParent !== 'NONE')
        .map((p) => ({ message: p.message, priority: p.actions.replicateToParent as 'LOW' | 'MEDIUM' | 'HIGH' }))
    : [];
  const replicated = await enqueueReplication(client, replication);

  const forSummarizers = fresh.filter((p) => p.actions.forwardToSummarizers);
  if (forSummarizers.length) {
    await options.effects.summarizers({ client, batchId: randomUUID(), messages: forSummarizers });
  }
  return { inserted, fresh, replicated };
}
