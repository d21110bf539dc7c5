import type { ListedMeteringRule } from '@/lib/metering/list-metering-rules';

export interface RuleOrder {
  by: 'product' | 'use';
  dir: 'asc' | 'desc';
}

/**
 * The rules in the order the page was asked for: by product name, or by runs this month (a rule
 * nothing ran counts 0, so least used first finds the licences nobody uses), ties by product.
 */
export function sortRules<T extends Pick<ListedMeteringRule, 'productName' | 'fileName' | 'thisMonth'>>(rules: readonly T[], order: RuleOrder): T[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  const byName = (a: T, b: T) => a.productName.localeCompare(b.productName) || a.fileName.localeCompare(b.fileName);
  const runs = (r: T) => r.thisMonth?.runCount ?? 0;
  return [...rules].sort((a, b) => (order.by === 'use' ? sign * (runs(a) - runs(b)) || byName(a, b) : sign * byName(a, b)));
}
