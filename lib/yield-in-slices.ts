/**
 * Runs `work` over `items` in slices of at most `sliceMs` of the event loop's time, letting
 * whatever else waits (I/O, timers, other requests) run between slices. For loops whose items
 * are cheap one by one but hold a server's event loop for hundreds of milliseconds all
 * together. `elapsedMs` is the time source (performance.now by default; a test passes its own).
 */
export async function forEachInSlices<T>(
  items: readonly T[],
  work: (item: T) => void,
  options: { sliceMs: number; elapsedMs?: () => number },
): Promise<void> {
  const elapsed = options.elapsedMs ?? (() => performance.now());
  let sliceStarted = elapsed();
  for (let i = 0; i < items.length; i++) {
    work(items[i]);
    if (i < items.length - 1 && elapsed() - sliceStarted >= options.sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = elapsed();
    }
  }
}
