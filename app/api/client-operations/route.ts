import { listClientOperationsQuerySchema, startClientOperationSchema } from '@/lib/notification/client-operation.schema';
import { listClientOperations } from '@/lib/notification/list-client-operations';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { route } from '@/lib/http/route';
import { readClientNotificationSettings } from '@/lib/sitecontrol/read-client-notification-settings';

/** Client operations, newest first, with their live counts. */
export const GET = route({ query: listClientOperationsQuerySchema }, async ({ query }) => listClientOperations(query));

/** Starts a client action (any of `clientActions`: policy, scans, inventory and discovery cycles) on a collection or on picked devices. */
export const POST = route({ permission: 'runClientOperations', body: startClientOperationSchema }, async ({ body, actor }) => {
  const operation = await startClientOperation({ actor, input: body, settings: await readClientNotificationSettings() });
  return { id: operation.id, total: operation.total, onlineAtStart: operation.onlineAtStart, validUntil: operation.validUntil.toISOString() };
});
