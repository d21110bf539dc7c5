import { describe, expect, it } from 'vitest';
import { forEachInSlices } from '@/lib/yield-in-slices';

describe('forEachInSlices', () => {
  it('lets other work run once a slice has taken its time, and not before', async () => {
    let now = 0;
    const order: string[] = [];
    // Work already waiting when the loop starts, as a console request would be.
    setImmediate(() => order.push('other work'));
    // Each item takes 4 ms on this clock: a 10 ms slice holds three of them.
    const done = forEachInSlices(
      [1, 2, 3, 4, 5, 6, 7],
      (n) => {
        order.push(`item ${n}`);
        now += 4;
      },
      { sliceMs: 10, elapsedMs: () => now },
    );
    await done;
    expect(order).toEqual(['item 1', 'item 2', 'item 3', 'other work', 'item 4', 'item 5', 'item 6', 'item 7']);
  });

  it('does everything in one go while the slice lasts, and yields nothing after the last item', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const done = forEachInSlices(['a', 'b', 'c'], (s) => order.push(s), { sliceMs: 1_000, elapsedMs: () => 0 });
    // Finished before the queued work ran: no slice ended.
    await done;
    order.push('finished');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a', 'b', 'c', 'finished', 'other work']);
  });
});
