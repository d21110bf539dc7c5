/**
 * Values shared by the whole process. Next bundles route code apart from server.ts and the
 * workers, so a module variable would exist once per bundle; these live on globalThis instead,
 * in one map keyed by name.
 */
const store = ((globalThis as unknown as { siteboxProcess?: Map<string, unknown> }).siteboxProcess ??= new Map());

/** A named slot of the process: read it, set it, clear it (undefined). */
export function processSlot<T>(key: string): { get(): T | undefined; set(value: T | undefined): void } {
  return {
    get: () => store.get(key) as T | undefined,
    set: (value) => void (value === undefined ? store.delete(key) : store.set(key, value)),
  };
}

/** The process's one `key`, made by `create` on first use. */
export function processSingleton<T>(key: string, create: () => T): T {
  if (!store.has(key)) store.set(key, create());
  return store.get(key) as T;
}
