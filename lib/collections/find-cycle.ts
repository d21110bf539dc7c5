import type { CollectionDependencies } from './evaluation-order';

/**
 * The path by which `to` already leads back to `from`, or null. Making `from` depend on `to`
 * (include, exclude or limit to it) with such a path would close a cycle: `[to, ..., from]`.
 */
export function findCycle(collections: readonly CollectionDependencies[], from: number, to: number): number[] | null {
  if (from === to) return [to];
  const byId = new Map(collections.map((c) => [c.id, c.dependsOn]));
  const previous = new Map<number, number>([[to, to]]);
  const queue = [to];
  while (queue.length) {
    const id = queue.shift()!;
    for (const next of byId.get(id) ?? []) {
      if (previous.has(next)) continue;
      previous.set(next, id);
      if (next === from) {
        const path = [from];
        for (let at = from; at !== to;) path.unshift((at = previous.get(at)!));
        return path;
      }
      queue.push(next);
    }
  }
  return null;
}
