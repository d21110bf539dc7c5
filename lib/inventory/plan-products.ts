import type { SoftwareKey } from '../protocol/inventory.schema';

/** A package identity as one string: name, version and architecture joined by NUL, which no reported text holds. */
export function productKey(name: string, version: string, arch: string): string {
  return `${name}\u0000${version}\u0000${arch}`;
}

export function splitProductKey(key: string): SoftwareKey {
  const [name, version, arch] = key.split('\u0000');
  return [name, version, arch];
}

/**
 * Which package identities of a batch the product cache does not know yet, in first-seen order,
 * each once: the loader looks these up (and inserts those new to the site) in one statement.
 * Rows are [name, version, arch, ...] as reported.
 */
export function planProducts(
  rowLists: Iterable<readonly (readonly [string, string, string, ...unknown[]])[]>,
  known: ReadonlyMap<string, number>,
): string[] {
  const missing = new Set<string>();
  for (const rows of rowLists) {
    for (const row of rows) {
      const key = productKey(row[0], row[1], row[2]);
      if (!known.has(key)) missing.add(key);
    }
  }
  return [...missing];
}

/**
 * A full report's rows as (product id, install date) once each: a package listed twice keeps its
 * first install date, as device_software holds one row per device and product.
 */
export function resolveRows(
  rows: readonly (readonly [string, string, string, string | null])[],
  ids: ReadonlyMap<string, number>,
): { productIds: number[]; installedOn: (string | null)[] } {
  const seen = new Set<number>();
  const productIds: number[] = [];
  const installedOn: (string | null)[] = [];
  for (const [name, version, arch, date] of rows) {
    const id = ids.get(productKey(name, version, arch));
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    productIds.push(id);
    installedOn.push(date);
  }
  return { productIds, installedOn };
}
