import type pg from 'pg';
import { escapeLike } from './device-query-sql';
import type { RuleLookups } from './resolve-query-rule';

/**
 * Reads what resolving query rules needs, each name once per instance: make one per evaluation
 * pass or preview, so every collection in a pass is resolved against the same snapshot.
 */
export function ruleLookups(db: pg.Pool | pg.PoolClient): RuleLookups {
  const products = new Map<string, ReturnType<RuleLookups['productsNamed']>>();
  let osVersions: ReturnType<RuleLookups['osVersions']> | undefined;
  return {
    productsNamed(name) {
      const key = name.toLowerCase();
      let found = products.get(key);
      if (!found) {
        // ILIKE without wildcards is a case-insensitive equality the name trigram index serves.
        found = db
          .query<{ id: number; version: string; source: string }>(
            `SELECT id, version, source FROM software_product WHERE name ILIKE $1 ESCAPE '\\'`,
            [escapeLike(name)],
          )
          .then((r) => r.rows);
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
