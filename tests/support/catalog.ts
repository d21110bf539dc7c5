// Reads what a database's schema actually is from pg_catalog, as flat comparable text, so two
// databases built different ways (schema.prisma diff vs. migrations) can be checked for drift.
import type pg from 'pg';

/**
 * One entry per object, keyed `<kind> <name>` (e.g. `column site.code`), valued with a
 * normalized definition. Column order and NOT NULL constraint names are left out: migrations
 * append columns at the end, and PostgreSQL 18 names NOT NULL constraints by how they were made.
 */
export type Catalog = Record<string, string>;

export interface ReadCatalogOptions {
  schema?: string;
  /** Tables left out with everything on them; the migrator's bookkeeping by default. */
  excludeTables?: string[];
}

export async function readCatalog(client: pg.ClientBase, options: ReadCatalogOptions = {}): Promise<Catalog> {
  const params = [options.schema ?? 'public', options.excludeTables ?? ['_prisma_migrations']];
  const catalog: Catalog = {};
  const add = (key: string, value: string) => {
    catalog[key] = value;
  };
  // A partition is the parent's storage, made at run time (Prisma does not model partitions):
  // the parent and its partitioned indexes describe the schema.
  const tableFilter = `n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT c.relname = ANY($2)`;

  const tables = await client.query<{ table: string; kind: string }>(
    `SELECT c.relname AS table, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${tableFilter}`,
    params,
  );
  for (const t of tables.rows) add(`table ${t.table}`, t.kind === 'p' ? 'partitioned' : 'ordinary');

  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default: string | null;
    identity: string;
    generated: string;
    collation: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
            a.attidentity AS identity, a.attgenerated AS generated,
            CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE ${tableFilter} AND a.attnum > 0 AND NOT a.attisdropped`,
    params,
  );
  for (const c of columns.rows) {
    const parts = [c.type, c.not_null ? 'NOT NULL' : 'NULL'];
    if (c.collation) parts.push(`COLLATE ${c.collation}`);
    if (c.identity) parts.push(`IDENTITY ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'}`);
    if (c.default !== null) parts.push(`${c.generated === 's' ? 'GENERATED AS' : 'DEFAULT'} ${c.default}`);
    add(`column ${c.table}.${c.column}`, parts.join(' '));
  }

  const indexes = await client.query<{ table: string; index: string; definition: string }>(
    `SELECT c.relname AS table, i.relname AS index, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${tableFilter}`,
    params,
  );
  // An index on a partitioned table reads "ON ONLY <table>"; the columns are what matter.
  for (const i of indexes.rows) add(`index ${i.index}`, i.definition.replace(' ON ONLY ', ' ON '));

  // contype 'n' (NOT NULL, PostgreSQL 18+) is already covered by the columns' nullability.
  const constraints = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${tableFilter} AND k.contype IN ('p', 'u', 'f', 'c', 'x')`,
    params,
  );
  for (const k of constraints.rows) add(`constraint ${k.table}.${k.name}`, k.definition);

  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1
      GROUP BY t.typname`,
    [params[0]],
  );
  for (const e of enums.rows) add(`enum ${e.name}`, e.labels.join(', '));

  const sequences = await client.query<{ name: string; type: string; owner: string | null }>(
    `SELECT s.relname AS name, format_type(q.seqtypid, NULL) AS type,
            (SELECT c.relname || '.' || a.attname
               FROM pg_depend d
               JOIN pg_class c ON c.oid = d.refobjid
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) AS owner
       FROM pg_class s
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_sequence q ON q.seqrelid = s.oid
      WHERE n.nspname = $1 AND s.relkind = 'S'`,
    [params[0]],
  );
  for (const s of sequences.rows) add(`sequence ${s.name}`, s.owner ? `${s.type} OWNED BY ${s.owner}` : s.type);

  return Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Every way `actual` differs from `expected`, one readable line each, named after the two sides
 * (e.g. "schema.prisma" and "migrations"). Empty when they match.
 */
export function compareCatalogs(
  expected: Catalog,
  actual: Catalog,
  labels: { expected: string; actual: string } = { expected: 'expected', actual: 'actual' },
): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort((a, b) => a.localeCompare(b));
  const differences: string[] = [];
  for (const key of keys) {
    const want = expected[key];
    const got = actual[key];
    if (want === got) continue;
    if (got === undefined) differences.push(`${key}: only in ${labels.expected} (${want})`);
    else if (want === undefined) differences.push(`${key}: only in ${labels.actual} (${got})`);
    else differences.push(`${key}: ${labels.expected} has "${want}", ${labels.actual} has "${got}"`);
  }
  return differences;
}
