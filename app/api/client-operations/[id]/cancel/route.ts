import { cancelClientOperation } from '@/lib/notification/cancel-client-operation';
import { operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { route } from '@/lib/http/route';

export const POST = route({ permission: 'runClientOperations', params: operationIdParamsSchema }, async ({ params, actor }) =>
  cancelClientOperation({ actor, id: params.id }),
);
