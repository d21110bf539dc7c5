import type pg from 'pg';
import { classifyFailure } from '../quarantine/classify-failure';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { quarantinedKeys } from '../quarantine/repo';
import { evaluationOrder } from './evaluation-order';
import { notifyCollectionsEvaluated } from './notify-collections-evaluated';
import { loadCollectionDefinitions, replaceMembership, withEvaluationLock } from './membership-repo';
import { ruleLookups } from './rule-lookup-repo';

/** Collection evaluation in the quarantine: an item is one collection, keyed by its id. */
export const COLLECTION_EVALUATION_QUARANTINE: QuarantineSource = { name: 'collections.evaluation', component: 'SMS_COLLECTION_EVALUATOR' };

export interface EvaluationResult {
  evaluated: { id: number; members: number }[];
  /** Collections whose evaluation the database refused, set aside in quarantine (this pass), or skipped while they wait there. */
  quarantined: number[];
  /** Collections in an include/exclude/limiting cycle, left as they were. */
  cyclic: number[];
  /** Another process was evaluating; nothing was done. */
  skipped: boolean;
}

/**
 * Re-evaluates collection membership in dependency order. With `dueOnly`, only collections
 * whose refresh interval has passed (and those that depend on them) are evaluated. A collection
 * whose evaluation the database refuses (a poison item) is set aside in quarantine and keeps its
 * last membership; the others are evaluated, and it is skipped until someone retries it.
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
    const setAside = await quarantinedKeys(options.db, COLLECTION_EVALUATION_QUARANTINE.name);
    const quarantined: number[] = [];
    const lookups = ruleLookups(options.db);
    for (const id of order) {
      if (!selected.has(id)) continue;
      if (setAside.has(String(id))) {
        quarantined.push(id);
        continue;
      }
      const collection = byId.get(id)!;
      try {
        evaluated.push({ id, members: await replaceMembership({ db: options.db, collection, lookups }) });
      } catch (error) {
        if (classifyFailure(error) === 'transient') throw error;
        await quarantineItem({ source: COLLECTION_EVALUATION_QUARANTINE, itemKey: String(id), item: { collectionId: id }, error, db: options.db });
        quarantined.push(id);
      }
    }
    if (evaluated.length) await notifyCollectionsEvaluated(options.db);
    return { evaluated, cyclic, quarantined, skipped: false };
  });
  return result ?? { evaluated: [], cyclic: [], quarantined: [], skipped: true };
}
