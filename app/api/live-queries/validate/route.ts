import { route } from '@/lib/http/route';
import { checkLiveQuery } from '@/lib/live-query/check-live-query';
import { liveQueryTextSchema } from '@/lib/live-query/live-query-input.schema';

/** Checks a live query: 200 with its parsed form, or 400 naming `query` with the line and column of the problem. */
export const POST = route({ permission: 'runClientOperations', body: liveQueryTextSchema }, async ({ body }) => checkLiveQuery(body.query));
