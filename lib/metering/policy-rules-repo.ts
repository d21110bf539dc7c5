import { createHash } from 'node:crypto';
import { pool } from '../db/pool';
import { meteringRuleName, type MeteringPolicyRule } from '../protocol/metering-policy.schema';

/** The enabled software metering rules of each of these sites, as policy carries them (one query). */
export async function enabledRulesBySite(siteCodes: readonly string[]): Promise<Map<string, MeteringPolicyRule[]>> {
  const bySite = new Map<string, MeteringPolicyRule[]>(siteCodes.map((code) => [code, []]));
  if (!siteCodes.length) return bySite;
  const { rows } = await pool().query<{
    id: number;
    site_code: string;
    product_name: string;
    file_name: string;
    original_file_name: string;
    version: string;
    updated_at: Date;
  }>(
    `SELECT id, site_code, product_name, file_name, original_file_name, version, updated_at
       FROM metering_rule WHERE enabled AND site_code = ANY($1::text[]) ORDER BY id`,
    [siteCodes],
  );
  for (const r of rows) {
    bySite.get(r.site_code)?.push({
      ruleId: r.id,
      ruleName: meteringRuleName(r.site_code, r.id),
      productName: r.product_name,
      fileName: r.file_name,
      originalFileName: r.original_file_name,
      version: r.version,
      revision: String(r.updated_at.getTime()),
    });
  }
  return bySite;
}

/** The revision of a set of rules as policy carries them: changes when any rule is added, changed or taken out. */
export function meteringRulesRevision(rules: readonly MeteringPolicyRule[]): string {
  const hash = createHash('sha256');
  for (const rule of rules) hash.update(`${rule.ruleId}:${rule.revision}\n`);
  return hash.digest('base64url').slice(0, 22);
}
