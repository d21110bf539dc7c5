import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { listStatusMessages, resolveFilters } from '@/lib/status-viewer/list-status-messages';
import { listStatusMessagesQuerySchema, promptValues } from '@/lib/status-viewer/status-message-filters.schema';

/**
 * The Status Message Viewer's pages: newest first, filtered, `nextCursor` for the next page.
 * `query=<id>` runs a Status Message Query, its prompts answered as `prompt.<field>=value`.
 */
export const GET = route({ permission: 'readConsole', query: listStatusMessagesQuerySchema }, async ({ query, req }) => {
  const filters = await resolveFilters({ request: query, prompts: promptValues(req.nextUrl.searchParams) });
  return listStatusMessages({ db: pool(), filters, limit: query.limit, cursor: query.cursor });
});
