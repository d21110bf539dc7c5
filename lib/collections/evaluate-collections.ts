import type pg from 'pg';
import { evaluationOrder } from './evaluation-order';
import { notifyCollectionsEvaluated } from './live-feed';
import { loadCollectionDefinitions, replaceMembership, withEvaluationLock } from './membership-repo';

export interface EvaluationResult {
  evaluated: { id: number; members: number }[];
  /** Collections in an include/exclude/limiting cycle, left as they were. */
  cyclic: number[];
  /** Another process was evaluating; nothing was done. */
  skipped: boolean;
}

/**
 * Re-evaluates collection membership in dependency order. With `dueOnly`, only collections
 * whose refresh interval has passed (and those that depend on them) are evaluated.
 */
export async function evaluateCollections(options: { db: pg.Pool; dueOnly?: boolean; now?: Date }): Promise<EvaluationResult> {
  const result = await withEvaluationLock(options.db, async () => {
    const definitions = await loadCollectionDefinitions(options.db);
    const byId = new Map(definitions.map((d) => [d.id, d]));
    const { order, cyclic } = evaluationOrder(
      definitions.map((d) => ({
        id: d.id,
        dependsOn: [
          ...d.rules.flatMap((r) => (r.referencedCollectionId === null ? [] : [r.referencedCollectionId])),
          ...(d.limitingCollectionId === null ? [] : [d.limitingCollectionId]),
        ],
      })),
    );
    const now = (options.now ?? new Date()).getTime();
    const selected = new Set<number>();
    for (const id of order) {
      const d = byId.get(id)!;
      const due = !d.lastEvaluatedAt || now - d.lastEvaluatedAt.getTime() >= d.refreshMinutes * 60_000;
      const dependsOnSelected =
        d.rules.some((r) => r.referencedCollectionId !== null && selected.has(r.referencedCollectionId)) ||
        (d.limitingCollectionId !== null && selected.has(d.limitingCollectionId));
      if (!options.dueOnly || due || dependsOnSelected) selected.add(id);
    }
    const evaluated: EvaluationResult['evaluated'] = [];
    for (const id of order) {
      if (!selected.has(id)) continue;
      evaluated.push({ id, members: await replaceMembership({ db: options.db, collection: byId.get(id)! }) });
    }
    if (evaluated.length) await notifyCollectionsEvaluated(options.db);
    return { evaluated, cyclic, skipped: false };
  });
  return result ?? { evaluated: [], cyclic: [], skipped: true };
}
