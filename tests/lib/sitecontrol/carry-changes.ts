import type pg from 'pg';
import { pool } from '@/lib/db/pool';
import { applyMergedDeltas, handOffPendingDeltas } from '@/lib/sitecontrol/hierarchy-manager';
import { mergeQueuedDeltas } from '@/lib/sitecontrol/site-control-manager';

/** Both site-control workers' steps, in this process, until nothing waits (what the workers do on a wake-up). */
export async function carryChanges(db: pg.Pool = pool()): Promise<void> {
  for (;;) {
    const handedOff = await handOffPendingDeltas({ db });
    const { merged, rejected } = await mergeQueuedDeltas({ db });
    const { applied } = await applyMergedDeltas({ db });
    if (!handedOff && !merged && !rejected && !applied) return;
  }
}
