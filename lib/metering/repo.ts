import type pg from 'pg';
import { Db, prisma } from '../db/prisma';
import { AppError } from '../errors';
import type { MeteringRule, MeteringRuleInput } from './metering-rule.schema';
import { meteringRuleKey } from './parse-rules-csv';

/** The thin data layer for software metering rules. */

function toMeteringRule(row: Db.MeteringRule): MeteringRule {
  return {
    id: row.id,
    productName: row.productName,
    fileName: row.fileName,
    originalFileName: row.originalFileName,
    version: row.version,
    siteCode: row.siteCode,
    comment: row.comment,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const ruleNotFound = () => new AppError('NOT_FOUND', { userMessage: 'That software metering rule was not found.' });

const ruleExists = () =>
  new AppError('CONFLICT', {
    userMessage: 'A rule for this product, file name and version already exists at this site.',
    details: { fields: [{ path: 'fileName', message: 'already has a rule with this product and version at this site' }] },
  });

export async function listMeteringRules(filter: { siteCode?: string; search?: string }): Promise<MeteringRule[]> {
  const rows = await prisma().meteringRule.findMany({
    where: {
      siteCode: filter.siteCode,
      ...(filter.search
        ? {
            OR: [{ productName: { contains: filter.search, mode: 'insensitive' } }, { fileName: { contains: filter.search, mode: 'insensitive' } }],
          }
        : {}),
    },
    orderBy: [{ productName: 'asc' }, { fileName: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toMeteringRule);
}

export async function findMeteringRule(id: number): Promise<MeteringRule | null> {
  const row = await prisma().meteringRule.findUnique({ where: { id } });
  return row ? toMeteringRule(row) : null;
}

/** Rule columns as the API names them, for statements written in SQL. */
const RULE_COLUMNS = `id, product_name AS "productName", file_name AS "fileName", original_file_name AS "originalFileName", version,
  site_code AS "siteCode", comment, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

const COLUMN_OF: Record<keyof MeteringRuleInput, string> = {
  productName: 'product_name',
  fileName: 'file_name',
  originalFileName: 'original_file_name',
  version: 'version',
  siteCode: 'site_code',
  comment: 'comment',
  enabled: 'enabled',
};

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** Adds one rule on the caller's transaction; 409 naming the field when the site already has it. */
export async function insertMeteringRule(client: pg.ClientBase, input: MeteringRuleInput): Promise<MeteringRule> {
  const [rule] = await insertMeteringRules(client, [input]);
  if (!rule) throw ruleExists();
  return rule;
}

/**
 * Writes the fields given on the caller's transaction, with the row locked from read to write so
 * `check` (an edit's version check, which throws to refuse it) sees the rule as it is when written.
 * A rule that already holds every value given is left as it is (`changed: false`): its version, and
 * so its revision in policy, stays, and no client acknowledges it again.
 */
export async function updateMeteringRuleRow(
  client: pg.ClientBase,
  id: number,
  input: Partial<MeteringRuleInput>,
  options: { editorName: string; check?: (current: MeteringRule & { updatedBy: string }) => void },
): Promise<{ rule: MeteringRule; changed: boolean }> {
  const { rows } = await client.query<MeteringRule & { updatedBy: string }>(
    `SELECT ${RULE_COLUMNS}, updated_by AS "updatedBy" FROM metering_rule WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!rows.length) throw ruleNotFound();
  const { updatedBy, ...current } = rows[0];
  options.check?.({ ...current, updatedBy });
  const fields = (Object.keys(input) as (keyof MeteringRuleInput)[]).filter((k) => input[k] !== undefined);
  if (fields.every((k) => input[k] === current[k])) return { rule: current, changed: false };
  try {
    const { rows: updated } = await client.query<MeteringRule>(
      `UPDATE metering_rule SET ${fields.map((k, n) => `${COLUMN_OF[k]} = $${n + 3}`).join(', ')}, updated_by = $2, updated_at = now()
        WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
      [id, options.editorName, ...fields.map((k) => input[k])],
    );
    return { rule: updated[0], changed: true };
  } catch (error) {
    if (isUniqueViolation(error)) throw ruleExists();
    throw error;
  }
}

export async function deleteMeteringRuleRow(client: pg.ClientBase, id: number): Promise<void> {
  const { rowCount } = await client.query(`DELETE FROM metering_rule WHERE id = $1`, [id]);
  if (!rowCount) throw ruleNotFound();
}

/** The rules of these ids that exist. */
export async function findMeteringRules(ids: number[]): Promise<MeteringRule[]> {
  return (await prisma().meteringRule.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map(toMeteringRule);
}

/** Enables or disables the rules of these ids not already so; returns the ones it changed (their revision changes with them). */
export async function setMeteringRulesEnabled(client: pg.ClientBase, ids: number[], enabled: boolean, editorName: string): Promise<MeteringRule[]> {
  const { rows } = await client.query<MeteringRule>(
    `UPDATE metering_rule SET enabled = $2, updated_by = $3, updated_at = now()
      WHERE id = ANY($1::int[]) AND enabled <> $2 RETURNING ${RULE_COLUMNS}`,
    [ids, enabled, editorName],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** Deletes the rules of these ids; returns the ones it deleted. */
export async function deleteMeteringRuleRows(client: pg.ClientBase, ids: number[]): Promise<MeteringRule[]> {
  const { rows } = await client.query<MeteringRule>(`DELETE FROM metering_rule WHERE id = ANY($1::int[]) RETURNING ${RULE_COLUMNS}`, [ids]);
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * Holds, until the caller's transaction ends, the right to change which rules are enabled at these
 * sites, and returns how many each has enabled then — counted after the caller's own change, and
 * after every change that held it before (each count is a statement of its own, so it sees what
 * they committed). Taken in site order, so two changes cannot deadlock.
 */
export async function lockedEnabledRuleCounts(client: pg.ClientBase, siteCodes: readonly string[]): Promise<Map<string, number>> {
  const sites = [...new Set(siteCodes)].sort();
  if (!sites.length) return new Map();
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('metering_rule_site'), hashtext(code)) FROM unnest($1::text[]) AS code`, [sites]);
  const { rows } = await client.query<{ site_code: string; n: number }>(
    `SELECT site_code, count(*)::int AS n FROM metering_rule WHERE enabled AND site_code = ANY($1::text[]) GROUP BY site_code`,
    [sites],
  );
  return new Map(rows.map((r) => [r.site_code, r.n]));
}

/** The codes of the sites this server knows. */
export async function knownSiteCodes(): Promise<Set<string>> {
  const rows = await prisma().site.findMany({ select: { code: true } });
  return new Set(rows.map((r) => r.code));
}

/** Which of these rules' natural keys are already taken. */
export async function existingRuleKeys(inputs: MeteringRuleInput[]): Promise<Set<string>> {
  const siteCodes = [...new Set(inputs.map((r) => r.siteCode))];
  const rows = await prisma().meteringRule.findMany({
    where: { siteCode: { in: siteCodes } },
    select: { siteCode: true, productName: true, fileName: true, version: true },
  });
  return new Set(rows.map((r) => meteringRuleKey({ ...r, originalFileName: '', comment: '', enabled: true })));
}

/**
 * Inserts many rules at once; rules whose natural key was taken meanwhile are left out. One
 * INSERT from arrays: the ORM's createMany spent some 2.5 ms of the server's CPU a row (50 s for an
 * import of 20,000, every other request of the server waiting meanwhile).
 */
export async function insertMeteringRules(client: pg.Pool | pg.ClientBase, inputs: MeteringRuleInput[]): Promise<MeteringRule[]> {
  const { rows } = await client.query<MeteringRule>(
    `INSERT INTO metering_rule (product_name, file_name, original_file_name, version, site_code, comment, enabled, updated_at)
     SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])
     ON CONFLICT (site_code, product_name, file_name, version) DO NOTHING
     RETURNING ${RULE_COLUMNS}`,
    [
      inputs.map((r) => r.productName),
      inputs.map((r) => r.fileName),
      inputs.map((r) => r.originalFileName),
      inputs.map((r) => r.version),
      inputs.map((r) => r.siteCode),
      inputs.map((r) => r.comment),
      inputs.map((r) => r.enabled),
    ],
  );
  return rows.sort((a, b) => a.id - b.id);
}
