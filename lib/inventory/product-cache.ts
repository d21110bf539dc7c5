import type pg from 'pg';
import type { SoftwareKey } from '../protocol/inventory.schema';
import { ensureProducts, findProducts } from './loader-repo';
import { splitProductKey } from './plan-products';

// A fleet has a few thousand distinct packages; past this many the cache starts over rather than grow without end.
const MAX_ENTRIES = 500_000;

/**
 * The loader's in-process map of package identity (name, version, arch) → software_product id.
 * Products are never renumbered, so an id once known stays right; identities it lacks are looked
 * up (and inserted when new to the site) in one statement per batch.
 */
export function createProductCache(db: pg.Pool) {
  const ids = new Map<string, number>();
  const remember = (found: Map<string, number>) => {
    for (const [key, id] of found) ids.set(key, id);
  };
  return {
    ids: ids as ReadonlyMap<string, number>,
    /** Called between batches: never while a batch's ids are being resolved. */
    trim() {
      if (ids.size > MAX_ENTRIES) ids.clear();
    },
    /** Makes sure every key has an id, inserting new products (from `source`). */
    async ensure(keys: readonly string[], source: string): Promise<void> {
      if (keys.length) remember(await ensureProducts(db, keys.map(splitProductKey), source));
    },
    /** Looks up keys without inserting: identities the site never knew stay unknown. */
    async lookup(keys: readonly string[]): Promise<void> {
      const missing: SoftwareKey[] = keys.filter((k) => !ids.has(k)).map(splitProductKey);
      if (missing.length) remember(await findProducts(db, missing));
    },
  };
}

export type ProductCache = ReturnType<typeof createProductCache>;
