import { estimateQuerySchema } from '@/lib/notification/client-operation.schema';
import { estimateOnlineClients } from '@/lib/notification/estimate-online-clients';
import { route } from '@/lib/http/route';
import { readClientNotificationSettings } from '@/lib/sitecontrol/read-client-notification-settings';

/** Before confirming: how many clients the operation would target and how many are online now. */
export const GET = route({ permission: 'runClientOperations', query: estimateQuerySchema }, async ({ query }) =>
  estimateOnlineClients(query, await readClientNotificationSettings()),
);
