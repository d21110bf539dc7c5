// What PostgreSQL plans for a statement, as a flat list of plan nodes, for tests that hold a
// query to the index it must use.
import { pool } from '../../lib/db/pool';

export type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };

/** Every node of the statement's plan (EXPLAIN without running it), outermost first. */
export async function planNodes(text: string, values: unknown[]): Promise<PlanNode[]> {
  const { rows } = await pool().query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
  const out: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    out.push(n);
    for (const child of n.Plans ?? []) walk(child);
  };
  walk(rows[0]['QUERY PLAN'][0].Plan);
  return out;
}
