import type { Logger } from 'pino';

/**
 * Like lib/workers/define-worker's `loop` (tick, then wait `intervalMs` unless woken), but it
 * removes its abort listener after every wait: Status Manager's loops wait twice a second when
 * idle, and a listener left behind per wait would pile up for the life of the process.
 */
export function pollLoop(options: {
  intervalMs: number;
  signal: AbortSignal;
  log: Logger;
  tick: () => Promise<void>;
}): { wake(): void; done: Promise<void> } {
  let woken = false;
  let wakeUp: (() => void) | null = null;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const done = (async () => {
    while (!options.signal.aborted) {
      woken = false;
      try {
        await options.tick();
      } catch (error) {
        options.log.error({ err: error }, 'worker cycle failed');
      }
      if (options.signal.aborted || woken) continue;
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', finish);
          wakeUp = null;
          resolve();
        };
        const timer = setTimeout(finish, options.intervalMs);
        wakeUp = finish;
        options.signal.addEventListener('abort', finish);
      });
    }
  })();
  return { wake, done };
}
