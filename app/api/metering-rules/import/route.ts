import { route } from '@/lib/http/route';
import { importMeteringRules } from '@/lib/metering/import-metering-rules';
import { meteringRuleImportSchema } from '@/lib/metering/metering-rule.schema';

/** Refused rows answered: a 2 MiB file refused row by row holds some 500,000. */
const REFUSED_ROWS_ANSWERED = 1000;

/**
 * Bulk import from CSV: the good rows are stored, and answered by id (the rules themselves made
 * tens of megabytes for a large file); the first 1,000 bad ones with their line and reason, and how
 * many there were.
 */
export const POST = route(
  { permission: 'editMeteringRules', body: meteringRuleImportSchema, maxBodyBytes: 3 * 1024 * 1024 },
  async ({ body, actor }) => {
    const result = await importMeteringRules({ actor, csv: body.csv, siteCode: body.siteCode });
    return {
      imported: result.imported.length,
      ids: result.imported.map((r) => r.id),
      refused: result.refused.slice(0, REFUSED_ROWS_ANSWERED),
      refusedCount: result.refused.length,
    };
  },
);
