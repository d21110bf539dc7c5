import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { exportMeteringRules } from '@/lib/metering/export-metering-rules';
import { listMeteringRulesQuerySchema } from '@/lib/metering/metering-rule.schema';

/** The rules (of a site, or matching a search) as CSV in the import's own columns. */
export const GET = route({ permission: 'readConsole', query: listMeteringRulesQuerySchema }, async ({ query }) =>
  csvDownload(await exportMeteringRules(query)),
);
