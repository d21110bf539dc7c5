import { operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { listScriptOutputGroups } from '@/lib/notification/script-results';
import { route } from '@/lib/http/route';

/** A Run Script operation's identical outputs grouped, with their device counts. */
export const GET = route({ params: operationIdParamsSchema }, async ({ params }) => listScriptOutputGroups(params.id));
