import type pg from 'pg';
import type { Logger } from 'pino';
import * as repo from './repo';

/** How often one management point tells the console an operation's counts while answers pour in. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Tells the console the live counts of operations whose targets changed, at most once per
 * interval. Counting an operation reads every one of its target rows, and when a whole fleet
 * answers at once the batches that write the answers come many times a second: counted after
 * each, the counts took more of the database than the answers. Changes within an interval are
 * told together at its end, so the first change is told at once and the last one always.
 */
export class ProgressNotifier {
  private pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private lastToldAt = Number.NEGATIVE_INFINITY;
  private telling: Promise<void> = Promise.resolve();

  constructor(private readonly options: { db: pg.Pool; log: Logger; intervalMs?: number }) {}

  /** The targets of these operations changed (committed). */
  changed(operationIds: Iterable<number>): void {
    for (const id of operationIds) this.pending.add(id);
    this.schedule();
  }

  /** Tells what is pending now, without waiting for the interval (when the server stops). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tell();
  }

  private schedule(): void {
    if (this.timer || !this.pending.size) return;
    const wait = Math.max(0, this.lastToldAt + (this.options.intervalMs ?? PROGRESS_INTERVAL_MS) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tell();
    }, wait);
  }

  private tell(): Promise<void> {
    this.telling = this.telling.then(async () => {
      if (!this.pending.size) return;
      const ids = [...this.pending];
      this.pending.clear();
      this.lastToldAt = Date.now();
      try {
        const counts = await repo.stateCounts(this.options.db, ids);
        await repo.notifyProgress(this.options.db, { progress: [...counts].map(([id, states]) => ({ id, states })) });
      } catch (error) {
        // Told with the next change (the console reads the counts itself whenever it shows them).
        for (const id of ids) this.pending.add(id);
        this.options.log.warn({ err: error }, 'could not tell the console the live counts');
        return;
      }
      this.schedule();
    });
    return this.telling;
  }
}
