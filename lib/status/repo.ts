import type pg from 'pg';
import { findLookAlikeName } from '../db/name-key';
import { notify } from '../db/notify';
import { pool } from '../db/pool';
import type { Db } from '../db/prisma';
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

/** The columns an administrator sets, in the order `ruleValues` gives them. */
const ruleColumns = {
  name: 'name',
  enabled: 'enabled',
  source: 'source',
  siteCode: 'site_code',
  systemName: 'system_name',
  component: 'component',
  messageType: 'message_type',
  severity: 'severity',
  messageId: 'message_id',
  propertyName: 'property_name',
  propertyValue: 'property_value',
  writeToDatabase: 'write_to_database',
  retentionDays: 'retention_days',
  reportToEventLog: 'report_to_event_log',
  replicateToParent: 'replicate_to_parent',
  forwardToSummarizers: 'forward_to_summarizers',
  runProgram: 'run_program',
  stopProcessing: 'stop_processing',
} as const satisfies Record<keyof FilterRuleInput, string>;
const ruleFields = Object.keys(ruleColumns) as (keyof FilterRuleInput)[];

/** The rule's values for `ruleColumns` (the program action as JSON text: pg would send an array as one of PostgreSQL's). */
const ruleValues = (input: FilterRuleInput) =>
  ruleFields.map((field) => (field === 'runProgram' ? (input.runProgram === null ? null : JSON.stringify(input.runProgram)) : input[field]));

/**
 * Refuses a name that reads the same as another rule's ("Audit logons", "audit logons",
 * "Ａｕｄｉｔ logons"): the rules list and the audit log show rules by name, and a look-alike
 * would be edited or deleted for the one meant.
 */
async function refuseLookAlikeName(client: pg.ClientBase, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(client, 'status_filter_rule', name, exceptId);
  if (other)
    throw new AppError('CONFLICT', {
      userMessage: `A rule with this name already exists ("${other}").`,
      details: { fields: [{ path: 'name', message: 'is already taken' }] },
    });
}

/** Maps a unique violation to a 409 naming the field (database error codes are mapped here only). */
function conflictOrRethrow(error: unknown): never {
  const e = error as { code?: string; constraint?: string };
  if (e.code === '23505') {
    const field = e.constraint?.includes('name') ? 'name' : 'priority';
    throw new AppError('CONFLICT', {
      userMessage: field === 'name' ? 'A rule with this name already exists.' : 'Another rule changed the order; try again.',
      details: { fields: [{ path: field, message: field === 'name' ? 'is already taken' : 'changed meanwhile' }] },
    });
  }
  throw error;
}

export async function listFilterRules(): Promise<FilterRule[]> {
  return loadFilterRules(pool());
}

export async function findFilterRule(id: number): Promise<FilterRule | null> {
  const { rows } = await pool().query(`SELECT * FROM status_filter_rule WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Appends a rule after the last one (lowest priority), on `client` inside the caller's transaction. */
export async function insertFilterRule(client: pg.ClientBase, input: FilterRuleInput): Promise<FilterRule> {
  try {
    // Rules added at the same moment take the last place one after the other, not the same one
    // (which the priority's unique index refused). Readers (Status Manager) are not held up.
    await client.query(`LOCK TABLE status_filter_rule IN SHARE ROW EXCLUSIVE MODE`);
    await refuseLookAlikeName(client, input.name, null);
    const columns = ruleFields.map((field) => ruleColumns[field]);
    const { rows } = await client.query(
      `INSERT INTO status_filter_rule (${columns.join(', ')}, priority, updated_at)
       SELECT ${columns.map((_, n) => `$${n + 1}`).join(', ')}, coalesce(max(priority), 0) + 10, now() FROM status_filter_rule
       RETURNING *`,
      ruleValues(input),
    );
    return fromRow(rows[0]);
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/**
 * Changes a rule to what `change` makes of it as stored, with the row locked from read to write
 * (on `client`, inside the caller's transaction): two changes at once each see the other's
 * result, neither is lost. `change` sees who changed the rule last and may throw to refuse (an
 * edit made from an older version). Null when there is no such rule.
 */
export async function updateFilterRuleRow(
  client: pg.ClientBase,
  id: number,
  editorName: string,
  change: (before: FilterRule, updatedBy: string) => FilterRuleInput,
): Promise<{ before: FilterRule; rule: FilterRule; input: FilterRuleInput } | null> {
  try {
    const { rows } = await client.query(`SELECT * FROM status_filter_rule WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0]) return null;
    const before = fromRow(rows[0]);
    const input = change(before, rows[0].updated_by);
    await refuseLookAlikeName(client, input.name, id);
    const sets = ruleFields.map((field, n) => `${ruleColumns[field]} = $${n + 3}`);
    const updated = await client.query(
      `UPDATE status_filter_rule SET ${sets.join(', ')}, updated_by = $2, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, editorName, ...ruleValues(input)],
    );
    return { before, input, rule: fromRow(updated.rows[0]) };
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/** Deletes a rule on `client`, inside the caller's transaction: the rule deleted, or null when there is none. */
export async function deleteFilterRuleRow(client: pg.ClientBase, id: number): Promise<FilterRule | null> {
  const { rows } = await client.query(`DELETE FROM status_filter_rule WHERE id = $1 RETURNING *`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * Swaps a rule's priority with its neighbour's (the next rule up or down), on `client` inside the
 * caller's transaction. The rule, with whether it moved (not when already first or last); null
 * when there is no such rule.
 */
export async function swapWithNeighbour(
  client: pg.ClientBase,
  id: number,
  direction: 'up' | 'down',
  editorName: string,
): Promise<{ rule: FilterRule; moved: boolean } | null> {
  try {
    // Moves (and additions) one after the other: two moves of neighbours at once would each hold
    // one row the other needs. Readers (Status Manager) are not held up.
    await client.query(`LOCK TABLE status_filter_rule IN SHARE ROW EXCLUSIVE MODE`);
    const { rows } = await client.query(`SELECT * FROM status_filter_rule WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const rule = fromRow(rows[0]);
    const { rows: neighbours } = await client.query<{ id: number; priority: number }>(
      direction === 'up'
        ? `SELECT id, priority FROM status_filter_rule WHERE priority < $1 ORDER BY priority DESC LIMIT 1`
        : `SELECT id, priority FROM status_filter_rule WHERE priority > $1 ORDER BY priority ASC LIMIT 1`,
      [rule.priority],
    );
    const neighbour = neighbours[0];
    if (!neighbour) return { rule, moved: false };
    // Priorities are unique and positive: park one on a negative value while swapping.
    const set = `UPDATE status_filter_rule SET priority = $2, updated_by = $3, updated_at = now() WHERE id = $1`;
    await client.query(`UPDATE status_filter_rule SET priority = $2 WHERE id = $1`, [rule.id, -rule.priority]);
    await client.query(set, [neighbour.id, rule.priority, editorName]);
    await client.query(set, [rule.id, neighbour.priority, editorName]);
    return { rule, moved: true };
  } catch (error) {
    conflictOrRethrow(error);
  }
}

/** Tells every Status Manager to reload the rules (they also check on every batch); on a transaction's client, at its commit. */
export async function notifyFilterRulesChanged(db: pg.Pool | pg.ClientBase): Promise<void> {
  await notify(db, channels.statusFilterRulesChanged);
}

/** Enabled and disabled rules in priority order, for Status Manager (plain pg: workers stay light). */
export async function loadFilterRules(db: pg.Pool | pg.ClientBase): Promise<FilterRule[]> {
  const { rows } = await db.query(`SELECT * FROM status_filter_rule ORDER BY priority`);
  return rows.map(fromRow);
}

/** A status_filter_rule row as pg reads it (SELECT *). */
function fromRow(r: pg.QueryResultRow): FilterRule {
  return toFilterRule({
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
  });
}

/** A cheap fingerprint of the rules table: changes whenever a rule is added, changed or removed. */
export async function filterRulesVersion(db: pg.Pool | pg.ClientBase): Promise<string> {
  const { rows } = await db.query<{ v: string }>(
    `SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') || ':' || coalesce(sum(id)::text, '') AS v FROM status_filter_rule`,
  );
  return rows[0].v;
}
