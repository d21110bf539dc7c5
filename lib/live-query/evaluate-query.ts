import type { Aggregate, Expression, LiveQuery, Stage } from './query-language';

/** A row of an entity, or of what a stage made of it. */
export type Row = Record<string, string | number | boolean | null>;

function matches(expression: Expression, row: Row): boolean {
  switch (expression.kind) {
    case 'and':
      return matches(expression.left, row) && matches(expression.right, row);
    case 'or':
      return matches(expression.left, row) || matches(expression.right, row);
    case 'not':
      return !matches(expression.operand, row);
    case 'compare': {
      const value = row[expression.column];
      if (value === null || value === undefined) return false;
      const wanted = expression.value;
      switch (expression.operator) {
        case '=':
          return typeof value === 'string' && typeof wanted === 'string' ? value.toLowerCase() === wanted.toLowerCase() : value === wanted;
        case '!=':
          return typeof value === 'string' && typeof wanted === 'string' ? value.toLowerCase() !== wanted.toLowerCase() : value !== wanted;
        case '<':
          return value < wanted;
        case '<=':
          return value <= wanted;
        case '>':
          return value > wanted;
        case '>=':
          return value >= wanted;
        case 'contains':
          return String(value).toLowerCase().includes(String(wanted).toLowerCase());
        case 'startswith':
          return String(value).toLowerCase().startsWith(String(wanted).toLowerCase());
        case 'endswith':
          return String(value).toLowerCase().endsWith(String(wanted).toLowerCase());
      }
    }
  }
}

function combine(fn: Aggregate['fn'], a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  if (fn === 'min') return Math.min(a, b);
  if (fn === 'max') return Math.max(a, b);
  return a + b;
}

/**
 * Summarizes rows by the stage's keys. With `partials`, the rows are other summaries of the same
 * stage (one per device) and are merged: counts and sums add up, minima and maxima compare — so
 * the server's summary across devices is exactly the summary of all their rows.
 */
export function summarize(stage: Extract<Stage, { kind: 'summarize' }>, rows: Row[], partials = false): Row[] {
  const groups = new Map<string, Row>();
  for (const row of rows) {
    const key = JSON.stringify(stage.by.map((k) => row[k.name] ?? null));
    let group = groups.get(key);
    if (!group) {
      group = Object.fromEntries(stage.by.map((k) => [k.name, row[k.name] ?? null]));
      for (const a of stage.aggregates) group[a.name] = a.fn === 'count' || a.fn === 'sum' ? 0 : null;
      groups.set(key, group);
    }
    for (const a of stage.aggregates) {
      const input = partials ? row[a.name] : a.fn === 'count' ? 1 : row[a.column!];
      if (typeof input === 'number') group[a.name] = combine(a.fn, group[a.name] as number | null, input);
    }
  }
  return [...groups.values()];
}

function compare(a: Row[string], b: Row[string]): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** Runs stages over rows, in order. */
export function applyStages(stages: readonly Stage[], input: Row[]): Row[] {
  let rows = input;
  for (const stage of stages) {
    if (stage.kind === 'where') rows = rows.filter((r) => matches(stage.expression, r));
    else if (stage.kind === 'project') rows = rows.map((r) => Object.fromEntries(stage.columns.map((c) => [c.name, r[c.name] ?? null])));
    else if (stage.kind === 'summarize') rows = summarize(stage, rows);
    else if (stage.kind === 'order')
      rows = [...rows].sort((a, b) => {
        for (const key of stage.keys) {
          const order = compare(a[key.name], b[key.name]);
          if (order) return key.descending ? -order : order;
        }
        return 0;
      });
    else rows = rows.slice(0, stage.count);
  }
  return rows;
}

/**
 * The stages a device runs: all of them, or those up to and including a summarize — what follows
 * a summarize (order, take) is only right over every device's summary, so the server runs it.
 */
export function deviceStages(query: LiveQuery): Stage[] {
  const index = query.stages.findIndex((s) => s.kind === 'summarize');
  return index < 0 ? query.stages : query.stages.slice(0, index + 1);
}

/** What one device answers: its entity rows through its stages of the (validated) query. */
export function evaluateLiveQuery(query: LiveQuery, entityRows: Row[]): Row[] {
  return applyStages(deviceStages(query), entityRows);
}

/**
 * The server's view across devices of a query that summarizes: the devices' summaries merged,
 * then the stages after the summarize (order, take, …) applied to the merged rows. Null when the
 * query does not summarize (its rows are listed per device instead).
 */
export function mergeDeviceSummaries(query: LiveQuery, deviceRows: Row[][]): Row[] | null {
  const index = query.stages.findIndex((s) => s.kind === 'summarize');
  if (index < 0) return null;
  const stage = query.stages[index] as Extract<Stage, { kind: 'summarize' }>;
  // Stages after the summarize (a take, say) are only right once applied to the merged rows.
  return applyStages(query.stages.slice(index + 1), summarize(stage, deviceRows.flat(), true));
}
