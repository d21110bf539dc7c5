import { open } from 'node:fs/promises';
import type { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { processMetrics } from '@/lib/metrics/registry';

async function openFds(): Promise<number> {
  const metric = processMetrics().getSingleMetric('process_open_fds') as Gauge;
  const { values } = await metric.get();
  return values[0].value;
}

describe.runIf(process.platform === 'linux')('process metrics', () => {
  it('counts open file descriptors without holding the event loop while /proc lists them', async () => {
    const before = await openFds();
    const files = await Promise.all(Array.from({ length: 20 }, () => open(__filename, 'r')));
    try {
      // The event loop turns while the count is read: a check-phase callback queued before it
      // runs before the count arrives (a synchronous listing would answer first).
      let turned = false;
      setImmediate(() => (turned = true));
      const during = await openFds();
      expect(turned).toBe(true);
      expect(during - before).toBeGreaterThanOrEqual(20);
    } finally {
      await Promise.all(files.map((f) => f.close()));
    }
    expect(await openFds()).toBeLessThan(before + 20);
  });
});
