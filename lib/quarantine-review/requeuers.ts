import type pg from 'pg';
import { z, type ZodType } from 'zod';
import { COLLECTION_EVALUATION_QUARANTINE } from '../collections/evaluate-collections';
import { channels } from '../db/channels';
import { DEPLOYMENT_EXPIRY_QUARANTINE } from '../deployments/expire-deployments';
import { operationDeliveredSchema, operationResultSchema } from '../protocol/agent-protocol.schema';
import { DELIVERIES_QUARANTINE, recordAnswersNow, RESULTS_QUARANTINE } from '../notification/record-answers';
import { PURGE_QUARANTINE } from '../status/delete-aged-status-messages';
import { REPLICATION_QUARANTINE } from '../status/forward-replication';
import { appendToInbox } from '../reporting/inbox-repo';
import { enqueueReplication } from '../status/message-repo';
import { STATUS_INBOX_QUARANTINE } from '../status/process-status-batch';
import { statusMessageSchema, toWireStatusMessage } from '../reporting/status-message.schema';
import { notify } from '../db/notify';
import { INVENTORY_INBOX_QUARANTINE } from '../inventory/load-inventory-batch';
import { requeueInventoryReport } from '../inventory/requeue-inventory-report';
import { inventoryReportSchema } from '../protocol/inventory.schema';
import { METERING_USAGE_QUARANTINE } from '../metering/summarize-metering-usage';
import { insertMeteringUsage } from '../metering/usage-repo';
import { meteringUsageRecordSchema } from '../protocol/metering-usage.schema';

/** How a quarantined item goes back: its payload's schema, and what puts it back, on the decision's transaction. */
interface Requeuer<T> {
  schema: ZodType<T>;
  requeue(item: T, client: pg.PoolClient): Promise<void>;
}

const requeuer = <T>(r: Requeuer<T>) => r as Requeuer<unknown>;

/**
 * Retry, per quarantine source. This sits above the queues' domains (it names each one); the
 * consumers themselves know only quarantineItem. A source without an entry (presence, whose
 * next change supersedes the item) can only be discarded.
 */
export const requeuers: Record<string, Requeuer<unknown>> = {
  // Back into Status Manager's inbox, as its own batch.
  [STATUS_INBOX_QUARANTINE.name]: requeuer({
    schema: statusMessageSchema,
    requeue: (message, client) => appendToInbox({ db: client, messages: [message], origin: 'server' }),
  }),
  // Back into the replication outbox with its priority: sent with the next batch to the parent.
  [REPLICATION_QUARANTINE.name]: requeuer({
    schema: z.object({ priority: z.enum(['LOW', 'MEDIUM', 'HIGH']), message: statusMessageSchema }),
    requeue: async ({ priority, message }, client) => void (await enqueueReplication(client, [{ priority, message: toWireStatusMessage(message) }])),
  }),
  // A notification server keeps answers in memory until its next flush: a retried one is recorded now.
  [DELIVERIES_QUARANTINE.name]: requeuer({
    schema: z.object({ operationId: operationDeliveredSchema.shape.operationId, deviceId: z.number().int().positive(), at: z.coerce.date() }),
    requeue: (delivery, client) => recordAnswersNow(client, { deliveries: [delivery] }),
  }),
  [RESULTS_QUARANTINE.name]: requeuer({
    schema: z.object({ deviceId: z.number().int().positive(), result: operationResultSchema, receivedAt: z.coerce.date() }),
    requeue: (result, client) => recordAnswersNow(client, { results: [result] }),
  }),
  // A collection is evaluated again on the evaluator's next pass, which this wakes once the decision commits.
  [COLLECTION_EVALUATION_QUARANTINE.name]: requeuer({
    schema: z.object({ collectionId: z.number().int().positive() }),
    requeue: async (_item, client) => notify(client, channels.collectionsChanged),
  }),
  // The next Delete Aged Status Messages run tries the row again.
  [PURGE_QUARANTINE.name]: requeuer({
    schema: z.object({ table: z.enum(['status_message', 'status_processed_uid']), key: z.string().min(1).max(40) }),
    requeue: async () => undefined,
  }),
  // Back into the inventory inbox: the loader takes it again (a delta whose base moved on meanwhile asks for a resync).
  // Stored again as a run not counted yet (a resend of the same run stores nothing); the summarizer wakes once the decision commits.
  [METERING_USAGE_QUARANTINE.name]: requeuer({
    schema: z.object({ deviceId: z.number().int().positive(), run: meteringUsageRecordSchema }),
    requeue: async ({ deviceId, run }, client) => {
      await insertMeteringUsage(client, deviceId, [run]);
      await notify(client, channels.meteringUsage);
    },
  }),
  [INVENTORY_INBOX_QUARANTINE.name]: requeuer({
    schema: inventoryReportSchema,
    requeue: (report, client) => requeueInventoryReport(report, client),
  }),
  // Deployment Manager expires what is due on its next cycle, this deployment included once it leaves quarantine.
  [DEPLOYMENT_EXPIRY_QUARANTINE.name]: requeuer({
    schema: z.object({ deploymentId: z.string().min(1).max(8) }),
    requeue: async () => undefined,
  }),
};
