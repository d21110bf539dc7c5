import { listOperationTargetsQuerySchema, operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { route } from '@/lib/http/route';

/** One operation's per-device results, optionally of one state. */
export const GET = route({ params: operationIdParamsSchema, query: listOperationTargetsQuerySchema }, async ({ params, query }) =>
  listOperationTargets(params.id, query),
);
