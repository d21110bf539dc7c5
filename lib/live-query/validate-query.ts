import { findLiveQueryEntity, liveQueryEntities, type ColumnType } from './entities';
import { parseLiveQuery, type Expression, type LiveQuery, type LiveQueryError, type SourceSpan } from './query-language';

const err = (at: SourceSpan, message: string): LiveQueryError => ({ ...at, message });
const numericOperators = new Set(['<', '<=', '>', '>=']);
const textOperators = new Set(['contains', 'startswith', 'endswith']);

/** The columns each stage leaves, with their types: the entity's, narrowed by project, replaced by summarize. */
type Columns = Map<string, ColumnType>;

/**
 * A column a stage's result would hold twice: its rows have one value by a name, and each key of a
 * summary is one argument of the merge's jsonb_build_array (at most 100).
 */
const twice = (stageColumns: Columns, name: string, at: SourceSpan): LiveQueryError | null =>
  stageColumns.has(name) ? err(at, `"${name}" appears twice`) : null;

function checkExpression(expression: Expression, columns: Columns): LiveQueryError | null {
  if (expression.kind === 'not') return checkExpression(expression.operand, columns);
  if (expression.kind !== 'compare') return checkExpression(expression.left, columns) ?? checkExpression(expression.right, columns);
  const type = columns.get(expression.column);
  if (!type) return err(expression.columnAt, `Unknown column "${expression.column}"; known here: ${[...columns.keys()].join(', ')}`);
  if (typeof expression.value === 'number' && Math.abs(expression.value) > Number.MAX_SAFE_INTEGER)
    return err(expression.valueAt, `The number is beyond ±${Number.MAX_SAFE_INTEGER}, past which numbers are not compared exactly`);
  const valueType = typeof expression.value;
  if (textOperators.has(expression.operator) && (type !== 'string' || valueType !== 'string'))
    return err(expression.valueAt, `${expression.operator} compares text: "${expression.column}" is ${type}, the value must be a quoted string`);
  if (numericOperators.has(expression.operator) && type !== 'number')
    return err(expression.columnAt, `${expression.operator} compares numbers, and "${expression.column}" is ${type}`);
  if (valueType !== type) return err(expression.valueAt, `"${expression.column}" is ${type}; the value is ${valueType}`);
  return null;
}

/**
 * Checks a parsed query against the entities: the entity exists (with its argument where it takes
 * one), and every column each stage names exists at that point with a type its comparison fits.
 */
export function validateLiveQuery(query: LiveQuery): LiveQueryError | null {
  const entity = findLiveQueryEntity(query.entity.name);
  if (!entity) return err(query.entity.at, `Unknown entity "${query.entity.name}"; known: ${Object.keys(liveQueryEntities).join(', ')}`);
  if (entity.argument && query.entity.argument === null)
    return err(query.entity.at, `${query.entity.name} needs a path: ${query.entity.name}("/etc/hostname")`);
  if (!entity.argument && query.entity.argument !== null) return err(query.entity.at, `${query.entity.name} takes no argument`);
  if (entity.argument === 'path' && !query.entity.argument!.startsWith('/')) return err(query.entity.at, 'The path must be absolute');
  let columns: Columns = new Map(Object.entries(entity.columns));
  const known = (name: string, at: SourceSpan) =>
    columns.has(name) ? null : err(at, `Unknown column "${name}"; known here: ${[...columns.keys()].join(', ')}`);
  for (const stage of query.stages) {
    if (stage.kind === 'where') {
      const problem = checkExpression(stage.expression, columns);
      if (problem) return problem;
    } else if (stage.kind === 'project') {
      const projected: Columns = new Map();
      for (const c of stage.columns) {
        const problem = known(c.name, c.at) ?? twice(projected, c.name, c.at);
        if (problem) return problem;
        projected.set(c.name, columns.get(c.name)!);
      }
      columns = projected;
    } else if (stage.kind === 'summarize') {
      const next: Columns = new Map();
      for (const key of stage.by) {
        const problem = known(key.name, key.at) ?? twice(next, key.name, key.at);
        if (problem) return problem;
        next.set(key.name, columns.get(key.name)!);
      }
      for (const a of stage.aggregates) {
        if (a.fn === 'count') {
          if (a.column !== null) return err(a.at, 'count() takes no column');
        } else {
          if (a.column === null) return err(a.at, `${a.fn}() needs a column`);
          const problem = known(a.column, a.at);
          if (problem) return problem;
          if (columns.get(a.column) !== 'number') return err(a.at, `${a.fn}() needs a number column; "${a.column}" is ${columns.get(a.column)}`);
        }
        const problem = twice(next, a.name, a.at);
        if (problem) return problem;
        next.set(a.name, 'number');
      }
      columns = next;
    } else if (stage.kind === 'order') {
      for (const key of stage.keys) {
        const problem = known(key.name, key.at);
        if (problem) return problem;
      }
    } else if (stage.count < 1 || stage.count > 100_000 || !Number.isInteger(stage.count)) {
      return err(stage.at, 'take needs a whole number from 1 to 100000');
    }
  }
  return null;
}

/** Parses and validates a query's text: the query, or the first error with its position. */
export function readLiveQuery(text: string): { query: LiveQuery; error?: undefined } | { query?: undefined; error: LiveQueryError } {
  const parsed = parseLiveQuery(text);
  if (parsed.error) return parsed;
  const error = validateLiveQuery(parsed.query);
  return error ? { error } : { query: parsed.query };
}
