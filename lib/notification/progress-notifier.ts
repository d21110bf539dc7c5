import type { Logger } from 'pino';

/** How often operation progress is told while answers pour in: by each management point, and by each console to its viewers. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Tells which operations' targets changed, at most once per interval: when a whole fleet answers
 * at once, the batches that write the answers come many times a second. Changes within an
 * interval are told together at its end, so the first change is told at once and the last one
 * always. A `tell` that fails keeps its operations for the next change.
 */
export class ProgressNotifier {
  private pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private lastToldAt = Number.NEGATIVE_INFINITY;
  private telling: Promise<void> = Promise.resolve();

  constructor(private readonly options: { tell: (operationIds: number[]) => Promise<void>; log: Logger; intervalMs?: number }) {}

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

  /** Stops the interval's timer; nothing pending is told. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
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
        await this.options.tell(ids);
      } catch (error) {
        for (const id of ids) this.pending.add(id);
        this.options.log.warn({ err: error }, 'could not tell the progress of client operations');
        return;
      }
      this.schedule();
    });
    return this.telling;
  }
}
