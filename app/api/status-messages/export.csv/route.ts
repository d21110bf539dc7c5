import { pool } from '@/lib/db/pool';
import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { exportStatusMessagesCsv, resolveFilters } from '@/lib/status-viewer/list-status-messages';
import { listStatusMessagesQuerySchema, promptValues } from '@/lib/status-viewer/status-message-filters.schema';

/** The filtered messages as CSV, streamed page by page (the same filters and queries as the list). */
export const GET = route({ permission: 'readConsole', query: listStatusMessagesQuerySchema }, async ({ query, req }) => {
  const filters = await resolveFilters({ request: query, prompts: promptValues(req.nextUrl.searchParams) });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return csvDownload({ filename: `status-messages-${stamp}.csv`, body: exportStatusMessagesCsv({ db: pool(), filters }) });
});
