import { config } from '../config';
import type { Actor } from '../users/actor';
import type { MeteringRule } from './metering-rule.schema';
import { meteringRuleKey, parseRulesCsv, type ImportProblem } from './parse-rules-csv';
import { changeMeteringRules, manyRulesAudit } from './change-metering-rules';
import * as repo from './repo';

export interface ImportResult {
  imported: MeteringRule[];
  /** Each refused row with its line in the file and the reason; the other rows were kept. */
  refused: ImportProblem[];
}

/**
 * Bulk import of software metering rules from CSV: every row is checked on its own (fields, site,
 * a rule already there), the good rows are stored together and the bad ones reported by line.
 * Rows that name no site go to `siteCode`, else to the console's own site.
 */
export async function importMeteringRules(options: { actor: Actor; csv: string; siteCode?: string }): Promise<ImportResult> {
  const parsed = await parseRulesCsv({ csv: options.csv, defaultSiteCode: options.siteCode ?? config().SITEBOX_SITE_CODE });
  const refused = [...parsed.problems];
  const sites = await repo.knownSiteCodes();
  const existing = parsed.rules.length ? await repo.existingRuleKeys(parsed.rules.map((r) => r.input)) : new Set<string>();
  const accepted = parsed.rules.filter(({ line, input }) => {
    if (!sites.has(input.siteCode)) refused.push({ line, field: 'siteCode', message: `${input.siteCode} is not a site of this hierarchy` });
    else if (existing.has(meteringRuleKey(input)))
      refused.push({ line, field: 'fileName', message: 'a rule for this product, file name and version already exists at this site' });
    else return true;
    return false;
  });
  const imported = accepted.length
    ? await changeMeteringRules<MeteringRule[]>(async (client) => {
        const rules = await repo.insertMeteringRules(
          client,
          accepted.map((r) => r.input),
        );
        return {
          result: rules,
          enabledAt: rules.filter((r) => r.enabled).map((r) => r.siteCode),
          audit: manyRulesAudit(options.actor, 'Import', rules),
        };
      })
    : [];
  // A rule another administrator added meanwhile is skipped by the insert: report it too.
  const stored = new Set(imported.map(meteringRuleKey));
  for (const { line, input } of accepted) {
    if (!stored.has(meteringRuleKey(input)))
      refused.push({ line, field: 'fileName', message: 'a rule for this product, file name and version already exists at this site' });
  }
  refused.sort((a, b) => a.line - b.line);
  return { imported, refused };
}
