import { operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { liveQueryOverview } from '@/lib/notification/live-query-results';
import { route } from '@/lib/http/route';

/** A live query's text, columns, rows stored and (when it summarizes) its summary across devices. */
export const GET = route({ params: operationIdParamsSchema }, async ({ params }) => liveQueryOverview(params.id));
