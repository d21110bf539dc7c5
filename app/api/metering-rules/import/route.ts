import { route } from '@/lib/http/route';
import { importMeteringRules } from '@/lib/metering/import-metering-rules';
import { meteringRuleImportSchema } from '@/lib/metering/metering-rule.schema';

/** Bulk import from CSV: the good rows are stored, each bad one is returned with its line and reason. */
export const POST = route(
  { permission: 'editMeteringRules', body: meteringRuleImportSchema, maxBodyBytes: 3 * 1024 * 1024 },
  async ({ body, actor }) => {
    const result = await importMeteringRules({ actor, csv: body.csv, siteCode: body.siteCode });
    return { imported: result.imported.length, rules: result.imported, refused: result.refused };
  },
);
