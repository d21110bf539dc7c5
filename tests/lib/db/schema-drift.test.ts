// schema.prisma is the source of truth and prisma/migrations must build the same database. This
// builds one database each way and compares their catalogs; no introspection by Prisma needed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@/lib/db/migrator';
import { diffSchemas } from '@/lib/db/schema-diff';
import { compareCatalogs, readCatalog, type Catalog } from '../../support/catalog';
import { createEmptyDatabase } from '../../support/database';
import { withClient } from '../../support/postgres-admin';

const schemaPath = path.join(process.cwd(), 'prisma', 'schema.prisma');

/** Tables the migrations partition with raw SQL; schema.prisma describes them as plain tables. */
const PARTITIONED_BY_MIGRATIONS = ['status_message', 'metering_usage', 'inventory_report', 'client_operation_target', 'live_query_row'];

/** Indexes on an expression, which schema.prisma cannot describe; the migrations write them. */
const INDEXES_WRITTEN_BY_MIGRATIONS = {
  'index software_product_name_lower_idx': 'CREATE INDEX software_product_name_lower_idx ON public.software_product USING btree (lower(name))',
};

/** A database built straight from `schema` (the engine's diff from nothing), and its catalog. */
async function catalogFromSchema(schema: string): Promise<Catalog> {
  const db = await createEmptyDatabase();
  try {
    const sql = await diffSchemas({
      from: null,
      to: { path: 'schema.prisma', content: schema },
      connectionString: db.url,
    });
    return await withClient(db.url, async (client) => {
      await client.query(sql);
      return readCatalog(client);
    });
  } finally {
    await db.drop();
  }
}

describe('schema drift', () => {
  let schema: string;
  let fromSchema: Catalog;
  let fromMigrations: Catalog;

  beforeAll(async () => {
    schema = await readFile(schemaPath, 'utf8');
    const migrated = await createEmptyDatabase();
    [fromSchema, fromMigrations] = await Promise.all([
      catalogFromSchema(schema),
      migrate({ connectionString: migrated.url }).then(() => withClient(migrated.url, (c) => readCatalog(c))),
    ]);
    await migrated.drop();
  });

  it('sees a real schema (guards against comparing two empty catalogs)', () => {
    expect(Object.keys(fromSchema).filter((k) => k.startsWith('table ')).length).toBeGreaterThan(5);
    expect(Object.keys(fromSchema).some((k) => k.startsWith('enum '))).toBe(true);
    expect(Object.keys(fromSchema).some((k) => k.startsWith('constraint ') && /FOREIGN KEY/.test(fromSchema[k]))).toBe(true);
  });

  it('partitions the tables that grow with clients × time', () => {
    for (const table of PARTITIONED_BY_MIGRATIONS) expect(fromMigrations[`table ${table}`], table).toBe('partitioned');
  });

  it('prisma/migrations build exactly the database schema.prisma describes', () => {
    const partitioned = Object.fromEntries(PARTITIONED_BY_MIGRATIONS.map((t) => [`table ${t}`, 'partitioned']));
    const differences = compareCatalogs({ ...fromSchema, ...partitioned, ...INDEXES_WRITTEN_BY_MIGRATIONS }, fromMigrations, {
      expected: 'schema.prisma',
      actual: 'migrations',
    });
    const hint =
      `schema.prisma and prisma/migrations disagree:\n  ${differences.join('\n  ')}\n` +
      'Write a migration for the schema change: npm run db:migration -- <name>';
    expect(differences, hint).toEqual([]);
  });

  it('reports an added column, a changed default and an added enum label (the comparison can fail)', async () => {
    const changed = schema
      .replace(/^model Site \{\n/m, '$&  driftProbe String? @map("drift_probe")\n')
      .replace(/(timeZone\s+String\s+@default\()"UTC"/, '$1"Europe/Paris"')
      .replace(/^enum SiteSystemRoleKind \{\n/m, '$&  DRIFT_PROBE\n');
    expect(changed.match(/drift_probe|Europe\/Paris|DRIFT_PROBE/g)).toHaveLength(3);

    const labels = fromSchema['enum site_system_role_kind'];
    const differences = compareCatalogs(await catalogFromSchema(changed), fromSchema, {
      expected: 'changed schema',
      actual: 'schema.prisma',
    });
    expect(differences).toEqual([
      'column site.drift_probe: only in changed schema (text NULL)',
      `column site.time_zone: changed schema has "text NOT NULL DEFAULT 'Europe/Paris'::text", schema.prisma has "text NOT NULL DEFAULT 'UTC'::text"`,
      `enum site_system_role_kind: changed schema has "DRIFT_PROBE, ${labels}", schema.prisma has "${labels}"`,
    ]);
  });
});

describe('compareCatalogs', () => {
  it('names each difference and the side it is on', () => {
    const a = { 'table t': 'ordinary', 'column t.a': 'integer NOT NULL', 'index t_a_idx': 'CREATE INDEX ...' };
    const b = { 'table t': 'ordinary', 'column t.a': 'bigint NOT NULL', 'column t.b': 'text NULL' };
    expect(compareCatalogs(a, b, { expected: 'A', actual: 'B' })).toEqual([
      'column t.a: A has "integer NOT NULL", B has "bigint NOT NULL"',
      'column t.b: only in B (text NULL)',
      'index t_a_idx: only in A (CREATE INDEX ...)',
    ]);
    expect(compareCatalogs(a, { ...a })).toEqual([]);
  });
});
