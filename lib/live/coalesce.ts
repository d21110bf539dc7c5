/**
 * Gathers keys named by notifications for `waitMs`, then hands them over at once, sorted: a flood
 * of notifications costs the console a refresh or two a second. An empty add (or `all()`) stands
 * for every key, handed over as an empty list.
 */
export function coalesce<K extends string | number>(options: { waitMs: number; flush: (keys: K[]) => void }) {
  let pending: Set<K> | null = null;
  let everything = false;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const keys = everything ? [] : [...(pending ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    pending = null;
    everything = false;
    options.flush(keys);
  };
  const schedule = (waitMs: number) => {
    timer ??= setTimeout(flush, waitMs);
  };
  return {
    add(keys: readonly K[]) {
      pending ??= new Set();
      if (!keys.length) everything = true;
      for (const key of keys) pending.add(key);
      schedule(options.waitMs);
    },
    /** Everything changed (e.g. notifications were missed): hand over at once. */
    all() {
      everything = true;
      schedule(0);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
