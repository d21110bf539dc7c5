import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { exportStatusMessagesCsv, resolveFilters } from '@/lib/status-viewer/list-status-messages';
import { listStatusMessagesQuerySchema, promptValues } from '@/lib/status-viewer/status-message-filters.schema';

/** The filtered messages as CSV, streamed page by page (the same filters and queries as the list). */
export const GET = route({ permission: 'readConsole', query: listStatusMessagesQuerySchema }, async ({ query, req }) => {
  const filters = await resolveFilters({ request: query, prompts: promptValues(req.nextUrl.searchParams) });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return new Response(exportStatusMessagesCsv({ db: pool(), filters }), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="status-messages-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
});
