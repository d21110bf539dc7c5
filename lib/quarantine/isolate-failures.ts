import { isPoison } from './classify-failure';

export interface IsolationResult<T, R> {
  /** What each run that succeeded returned, in order. */
  results: R[];
  /** Items that failed alone with a poison error, handed to onPoison. */
  poisoned: { item: T; error: unknown }[];
}

/**
 * Runs a batch; when it fails with a poison error (see classifyFailure), runs each half again
 * until the item that fails alone is found and handed to `onPoison`, so the rest of the batch
 * is processed. A transient error is thrown as it is (from the whole batch or from any part),
 * and the caller's own retry takes over. `run` must be atomic: a failed run leaves nothing
 * behind (its own transaction, or a savepoint).
 */
export async function isolateFailures<T, R>(options: {
  items: readonly T[];
  run: (items: readonly T[]) => Promise<R>;
  onPoison: (item: T, error: unknown) => Promise<void>;
}): Promise<IsolationResult<T, R>> {
  const outcome: IsolationResult<T, R> = { results: [], poisoned: [] };
  const attempt = async (items: readonly T[]): Promise<void> => {
    if (!items.length) return;
    try {
      outcome.results.push(await options.run(items));
    } catch (error) {
      if (!isPoison(error)) throw error;
      if (items.length === 1) {
        await options.onPoison(items[0], error);
        outcome.poisoned.push({ item: items[0], error });
        return;
      }
      const half = Math.ceil(items.length / 2);
      await attempt(items.slice(0, half));
      await attempt(items.slice(half));
    }
  };
  await attempt(options.items);
  return outcome;
}
