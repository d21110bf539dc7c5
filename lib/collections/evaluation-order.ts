/** A collection and the collections its membership is computed from. */
export interface CollectionDependencies {
  id: number;
  /** Included, excluded and limiting collections. */
  dependsOn: number[];
}

/**
 * Orders collections so each comes after everything it depends on. Collections in
 * (or behind) a cycle cannot be evaluated and are returned separately.
 */
export function evaluationOrder(collections: CollectionDependencies[]): { order: number[]; cyclic: number[] } {
  const byId = new Map(collections.map((c) => [c.id, c]));
  const state = new Map<number, 'visiting' | 'done' | 'cyclic'>();
  const order: number[] = [];

  const visit = (id: number): boolean => {
    const seen = state.get(id);
    if (seen === 'done') return true;
    if (seen === 'visiting' || seen === 'cyclic') {
      state.set(id, 'cyclic');
      return false;
    }
    state.set(id, 'visiting');
    let ok = true;
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (byId.has(dep) && !visit(dep)) ok = false;
    }
    state.set(id, ok ? 'done' : 'cyclic');
    if (ok) order.push(id);
    return ok;
  };

  for (const c of collections) visit(c.id);
  const cyclic = collections.map((c) => c.id).filter((id) => state.get(id) === 'cyclic');
  return { order, cyclic };
}

/** True when making `from` depend on `to` would close a cycle. */
export function wouldCreateCycle(collections: CollectionDependencies[], from: number, to: number): boolean {
  const graph = collections.map((c) => (c.id === from ? { ...c, dependsOn: [...c.dependsOn, to] } : c));
  if (!graph.some((c) => c.id === from)) graph.push({ id: from, dependsOn: [to] });
  return evaluationOrder(graph).cyclic.includes(from);
}
