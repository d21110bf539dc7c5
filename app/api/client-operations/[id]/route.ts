import { operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { getClientOperationOrThrow } from '@/lib/notification/list-client-operations';
import { route } from '@/lib/http/route';

export const GET = route({ params: operationIdParamsSchema }, async ({ params }) => getClientOperationOrThrow(params.id));
