import type pg from 'pg';
import { findLookAlikeName } from '../db/name-key';
import { Db, isRecordGone, prisma } from '../db/prisma';
import { AppError } from '../errors';
import { logger } from '../logger';
import { programActionSchema, type FilterRule, type FilterRuleInput } from './status-filter-rule.schema';
import { channels } from '../db/channels';

/** The thin data layer for status filter rules. */

type RuleRow = Db.StatusFilterRule;

function toFilterRule(row: RuleRow): FilterRule {
  let runProgram: FilterRule['runProgram'] = null;
  if (row.runProgram !== null) {
    const parsed = programActionSchema.safeParse(row.runProgram);
    if (parsed.success) runProgram = parsed.data;
    else logger.warn({ rule: row.name }, 'status filter rule has an unreadable program action; ignoring it');
  }
  return {
    id: row.id,
    name: row.name,
    priority: row.priority,
    enabled: row.enabled,
    builtIn: row.builtIn,
    source: row.source,
    siteCode: row.siteCode,
    systemName: row.systemName,
    component: row.component,
    messageType: row.messageType,
    severity: row.severity,
    messageId: row.messageId,
    propertyName: row.propertyName,
    propertyValue: row.propertyValue,
    writeToDatabase: row.writeToDatabase,
    retentionDays: row.retentionDays,
    reportToEventLog: row.reportToEventLog,
    replicateToParent: row.replicateToParent,
    forwardToSummarizers: row.forwardToSummarizers,
    runProgram,
    stopProcessing: row.stopProcessing,
    updatedAt: row.updatedAt,
  };
}

function toRuleData(input: FilterRuleInput) {
  return { ...input, runProgram: input.runProgram ?? Db.Prisma.DbNull };
}

/**
 * Refuses a name that reads the same as another rule's ("Audit logons", "audit logons",
 * "Ａｕｄｉｔ logons"): the rules list and the audit log show rules by name, and a look-alike
 * would be edited or deleted for the one meant.
 */
async function refuseLookAlikeName(tx: Db.Prisma.TransactionClient, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(tx, 'status_filter_rule', name, exceptId);
  if (other)
    throw new AppError('CONFLICT', {
      userMessage: `A rule with this name already exists ("${other}").`,
      details: { fields: [{ path: 'name', message: 'is already taken' }] },
    });
}

/** Maps a unique violation to a 409 naming the field (Prisma error codes are mapped here only). */
function conflictOrRethrow(error: unknown): never {
  if (isRecordGone(error)) throw new AppError('NOT_FOUND', { userMessage: 'That status filter rule was not found.' });
  const e = error as { code?: string; meta?: { target?: unknown } };
  if (e.code === 'P2002') {
    const target = JSON.stringify(e.meta?.target ?? '');
    const field = target.includes('name') ? 'name' : 'priority';
    throw new AppError('CONFLICT', {
      userMessage: field === 'name' ? 'A rule with this name already exists.' : 'Another rule changed the order; try again.',
      details: { fields: [{ path: field, message: field === 'name' ? 'is already taken' : 'changed meanwhile' }] },
    });
  }
  throw error;
}

export async function listFilterRules(): Promise<FilterRule[]> {
  const rows = await prisma().statusFilterRule.findMany({ orderBy: { priority: 'asc' } });
  return rows.map(toFilterRule);
}

export async function findFilterRule(id: number): Promise<FilterRule | null> {
  const row = await prisma().statusFilterRule.findUnique({ where: { id } });
  return row ? toFilterRule(row) : null;
}

/** Appends a rule after the last one (lowest priority). */
export async function insertFilterRule(input: FilterRuleInput): Promise<FilterRule> {
  try {
    const row = await prisma().$transaction(async (tx) => {
      // Rules added at the same moment take the last place one after the other, not the same one
      // (which the priority's unique index refused). Readers (Status Manager) are not held up.
      await tx.$executeRawUnsafe(`LOCK TABLE status_filter_rule IN SHARE ROW EXCLUSIVE MODE`);
      await refuseLookAlikeName(tx, input.name, null);
      const last = await tx.statusFilterRule.aggregate({ _max: { priority: true } });
      return tx.statusFilterRule.create({ data: { ...toRuleData(input), priority: (last._max.priority ?? 0) + 10 } });
    });
    return toFilterRule(row);
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/**
 * Changes a rule to what `change` makes of it as stored, with the row locked from read to write:
 * two changes at once each see the other's result, neither is lost. `change` sees who changed the
 * rule last and may throw to refuse (an edit made from an older version). Null when there is no such rule.
 */
export async function updateFilterRuleRow(
  id: number,
  editorName: string,
  change: (before: FilterRule, updatedBy: string) => FilterRuleInput,
): Promise<{ before: FilterRule; rule: FilterRule; input: FilterRuleInput } | null> {
  try {
    return await prisma().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM status_filter_rule WHERE id = ${id} FOR UPDATE`;
      const row = await tx.statusFilterRule.findUnique({ where: { id } });
      if (!row) return null;
      const before = toFilterRule(row);
      const input = change(before, row.updatedBy);
      await refuseLookAlikeName(tx, input.name, id);
      const data = { ...toRuleData(input), updatedBy: editorName };
      return { before, input, rule: toFilterRule(await tx.statusFilterRule.update({ where: { id }, data })) };
    });
  } catch (error) {
    conflictOrRethrow(error);
  }
}

export async function deleteFilterRuleRow(id: number): Promise<void> {
  try {
    await prisma().statusFilterRule.delete({ where: { id } });
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/**
 * Swaps a rule's priority with its neighbour's (the next rule up or down), in one transaction.
 * Returns false when the rule is already first or last.
 */
export async function swapWithNeighbour(id: number, direction: 'up' | 'down', editorName: string): Promise<boolean> {
  try {
    return await prisma().$transaction(async (tx) => {
      const rule = await tx.statusFilterRule.findUniqueOrThrow({ where: { id } });
      const neighbour = await tx.statusFilterRule.findFirst({
        where: { priority: direction === 'up' ? { lt: rule.priority } : { gt: rule.priority } },
        orderBy: { priority: direction === 'up' ? 'desc' : 'asc' },
      });
      if (!neighbour) return false;
      // Priorities are unique and positive: park one on a negative value while swapping.
      await tx.statusFilterRule.update({ where: { id: rule.id }, data: { priority: -rule.priority } });
      await tx.statusFilterRule.update({ where: { id: neighbour.id }, data: { priority: rule.priority, updatedBy: editorName } });
      await tx.statusFilterRule.update({ where: { id: rule.id }, data: { priority: neighbour.priority, updatedBy: editorName } });
      return true;
    });
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/** Tells every Status Manager to reload the rules now (they also check on every batch). */
export async function notifyFilterRulesChanged(): Promise<void> {
  await prisma().$executeRawUnsafe(`NOTIFY ${channels.statusFilterRulesChanged}`);
}

/** Enabled and disabled rules in priority order, for Status Manager (plain pg: workers stay light). */
export async function loadFilterRules(db: pg.Pool | pg.ClientBase): Promise<FilterRule[]> {
  const { rows } = await db.query(`SELECT * FROM status_filter_rule ORDER BY priority`);
  return rows.map((r) =>
    toFilterRule({
      id: r.id,
      name: r.name,
      priority: r.priority,
      enabled: r.enabled,
      builtIn: r.built_in,
      source: r.source,
      siteCode: r.site_code,
      systemName: r.system_name,
      component: r.component,
      messageType: r.message_type,
      severity: r.severity,
      messageId: r.message_id,
      propertyName: r.property_name,
      propertyValue: r.property_value,
      writeToDatabase: r.write_to_database,
      retentionDays: r.retention_days,
      reportToEventLog: r.report_to_event_log,
      replicateToParent: r.replicate_to_parent,
      forwardToSummarizers: r.forward_to_summarizers,
      runProgram: r.run_program,
      stopProcessing: r.stop_processing,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    }),
  );
}

/** A cheap fingerprint of the rules table: changes whenever a rule is added, changed or removed. */
export async function filterRulesVersion(db: pg.Pool | pg.ClientBase): Promise<string> {
  const { rows } = await db.query<{ v: string }>(
    `SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') || ':' || coalesce(sum(id)::text, '') AS v FROM status_filter_rule`,
  );
  return rows[0].v;
}
