import type pg from 'pg';
import type { RuleLookups } from './resolve-query-rule';

type Product = Awaited<ReturnType<RuleLookups['productsNamed']>>[number];

/** A name waiting for its batch's statement, as the rule wrote it. */
interface PendingName {
  name: string;
  resolve: (products: Product[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads what resolving query rules needs, each name once per instance: make one per evaluation
 * pass or preview, so every collection in a pass is resolved against the same snapshot. Names
 * asked for together (the rules of a collection are resolved at once) are read in one statement:
 * a collection of thousands of software conditions costs one round trip, not one per name.
 */
export function ruleLookups(db: pg.Pool | pg.PoolClient): RuleLookups {
  const products = new Map<string, Promise<Product[]>>();
  let batch: PendingName[] | undefined;
  let osVersions: ReturnType<RuleLookups['osVersions']> | undefined;

  function readBatch(pending: PendingName[]) {
    productsNamedAll(
      db,
      pending.map((p) => p.name),
    ).then(
      (found) => pending.forEach((p, i) => p.resolve(found[i])),
      (error: unknown) => pending.forEach((p) => p.reject(error)),
    );
  }

  return {
    productsNamed(name) {
      const key = name.toLowerCase();
      let found = products.get(key);
      if (!found) {
        if (!batch) {
          const pending: PendingName[] = (batch = []);
          // Every name asked for before the current job yields joins this statement.
          queueMicrotask(() => {
            batch = undefined;
            readBatch(pending);
          });
        }
        const pending = batch;
        found = new Promise<Product[]>((resolve, reject) => pending.push({ name, resolve, reject }));
        products.set(key, found);
      }
      return found;
    },
    osVersions() {
      osVersions ??= db.query<{ os_version: string }>(`SELECT DISTINCT os_version FROM device`).then((r) => r.rows.map((row) => row.os_version));
      return osVersions;
    },
  };
}

/**
 * The products named by each of `names` ignoring case, in the order of `names`. Served by the
 * btree on lower(name), one probe a name (ILIKE's lowercasing is PostgreSQL's lower(), so the
 * match is the same as `name ILIKE` with the name's wildcards escaped).
 */
async function productsNamedAll(db: pg.Pool | pg.PoolClient, names: string[]): Promise<Product[][]> {
  const { rows } = await db.query<Product & { position: string }>(
    `SELECT n.position, p.id, p.version, p.source
       FROM unnest($1::text[]) WITH ORDINALITY AS n(name, position)
       JOIN software_product p ON lower(p.name) = lower(n.name)`,
    [names],
  );
  const found = names.map((): Product[] => []);
  for (const { position, ...product } of rows) found[Number(position) - 1].push(product);
  return found;
}
