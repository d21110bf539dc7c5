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
 * Which package identities of a batch the product cache does not know yet, by the package
 * manager they come from (a row's own fifth element, else its report's source), in first-seen
 * order, each once: the loader looks these up (and inserts those new to the site, with that
 * source) in one statement per source. Rows are [name, version, arch, install date, source?].
 */
export function planProducts(
  reports: Iterable<{ rows: readonly (readonly [string, string, string, unknown?, string?])[]; source: string }>,
  known: ReadonlyMap<string, number>,
): Map<string, string[]> {
  const missing = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const { rows, source } of reports) {
    for (const row of rows) {
      const key = productKey(row[0], row[1], row[2]);
      if (known.has(key) || seen.has(key)) continue;
      seen.add(key);
      const from = row[4] ?? source;
      let keys = missing.get(from);
      if (!keys) missing.set(from, (keys = new Set()));
      keys.add(key);
    }
  }
  return new Map([...missing].map(([from, keys]) => [from, [...keys]]));
}

/**
 * A full report's rows as (product id, install date) once each: a package listed twice keeps its
 * first install date, as device_software holds one row per device and product.
 */
export function resolveRows(
  rows: readonly (readonly [string, string, string, string | null, string?])[],
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
