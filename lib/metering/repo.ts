import { pool } from '../db/pool';
import { Db, isRecordGone, prisma } from '../db/prisma';
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

function conflictOrRethrow(error: unknown): never {
  if (isRecordGone(error)) throw new AppError('NOT_FOUND', { userMessage: 'That software metering rule was not found.' });
  if ((error as { code?: string }).code === 'P2002') {
    throw new AppError('CONFLICT', {
      userMessage: 'A rule for this product, file name and version already exists at this site.',
      details: { fields: [{ path: 'fileName', message: 'already has a rule with this product and version at this site' }] },
    });
  }
  throw error;
}

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

export async function insertMeteringRule(input: MeteringRuleInput): Promise<MeteringRule> {
  try {
    return toMeteringRule(await prisma().meteringRule.create({ data: input }));
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/**
 * Writes the fields given, with the row locked from read to write so `check` (an edit's version
 * check, which throws to refuse it) sees the rule as it is when written. A rule that already holds
 * every value given is left as it is (`changed: false`): its version, and so its revision in
 * policy, stays, and no client acknowledges it again.
 */
export async function updateMeteringRuleRow(
  id: number,
  input: Partial<MeteringRuleInput>,
  options: { editorName: string; check?: (current: MeteringRule & { updatedBy: string }) => void },
): Promise<{ rule: MeteringRule; changed: boolean }> {
  try {
    return await prisma().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM metering_rule WHERE id = ${id} FOR UPDATE`;
      const row = await tx.meteringRule.findUnique({ where: { id } });
      if (!row) throw new AppError('NOT_FOUND', { userMessage: 'That software metering rule was not found.' });
      options.check?.({ ...toMeteringRule(row), updatedBy: row.updatedBy });
      const current = toMeteringRule(row);
      if ((Object.keys(input) as (keyof MeteringRuleInput)[]).every((k) => input[k] === current[k])) return { rule: current, changed: false };
      const rule = toMeteringRule(await tx.meteringRule.update({ where: { id }, data: { ...input, updatedBy: options.editorName } }));
      return { rule, changed: true };
    });
  } catch (error) {
    conflictOrRethrow(error);
  }
}

export async function deleteMeteringRuleRow(id: number): Promise<void> {
  try {
    await prisma().meteringRule.delete({ where: { id } });
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/** The rules of these ids that exist. */
export async function findMeteringRules(ids: number[]): Promise<MeteringRule[]> {
  return (await prisma().meteringRule.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map(toMeteringRule);
}

/** Enables or disables the rules of these ids not already so; returns the ones it changed (their revision changes with them). */
export async function setMeteringRulesEnabled(ids: number[], enabled: boolean, editorName: string): Promise<MeteringRule[]> {
  const rows = await prisma().meteringRule.updateManyAndReturn({
    where: { id: { in: ids }, enabled: !enabled },
    data: { enabled, updatedBy: editorName },
  });
  return rows.map(toMeteringRule).sort((a, b) => a.id - b.id);
}

/** Deletes the rules of these ids; returns the ones it deleted. */
export async function deleteMeteringRuleRows(ids: number[]): Promise<MeteringRule[]> {
  return prisma().$transaction(async (tx) => {
    const rows = await tx.meteringRule.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    await tx.meteringRule.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
    return rows.map(toMeteringRule);
  });
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
export async function insertMeteringRules(inputs: MeteringRuleInput[]): Promise<MeteringRule[]> {
  const { rows } = await pool().query<MeteringRule>(
    `INSERT INTO metering_rule (product_name, file_name, original_file_name, version, site_code, comment, enabled, updated_at)
     SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])
     ON CONFLICT (site_code, product_name, file_name, version) DO NOTHING
     RETURNING id, product_name AS "productName", file_name AS "fileName", original_file_name AS "originalFileName", version,
               site_code AS "siteCode", comment, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`,
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
