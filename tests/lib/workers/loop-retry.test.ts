import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loop } from '@/lib/workers/define-worker';

describe('a worker loop whose tick fails', () => {
  it('runs it again after a short backoff, not after its interval or the next wake-up', async () => {
    // Hierarchy Manager waits for notifications only: a pass that failed (its connection ended
    // mid-transaction) left the change it was woken for waiting until the next change or cycle.
    const controller = new AbortController();
    const ticks: number[] = [];
    const started = Date.now();
    const cycle = loop({
      intervalMs: 2_147_483_647,
      signal: controller.signal,
      log: pino({ level: 'silent' }),
      retryMs: 50,
      tick: async () => {
        ticks.push(Date.now() - started);
        if (ticks.length < 3) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      },
    });
    try {
      await expect.poll(() => ticks.length, { timeout: 2_000 }).toBe(3);
      // Once a tick succeeds, the loop waits for its interval (or a wake-up) again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ticks.length).toBe(3);
      cycle.wake();
      await expect.poll(() => ticks.length).toBe(4);
    } finally {
      controller.abort();
      await cycle.done;
    }
  });
});
