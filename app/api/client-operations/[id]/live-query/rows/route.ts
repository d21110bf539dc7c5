import { liveQueryRowsQuerySchema, operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { liveQueryRowPage } from '@/lib/notification/live-query-results';
import { route } from '@/lib/http/route';

/** A page of a live query's rows in the order they arrived, after the cursor `after`; `next` is the following page's cursor. */
export const GET = route({ params: operationIdParamsSchema, query: liveQueryRowsQuerySchema }, async ({ params, query }) =>
  liveQueryRowPage(params.id, { after: query.after, limit: query.limit }),
);
