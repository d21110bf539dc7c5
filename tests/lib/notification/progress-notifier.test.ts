// Telling operation progress while answers pour in: the first change at once, the changes of an
// interval together at its end, the last one always, and a failed telling kept for the next.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressNotifier } from '@/lib/notification/progress-notifier';

const log = pino({ level: 'silent' });
// The clock is a fake one: the intervals are exact, whatever the load of the machine.
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('ProgressNotifier', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('tells the first change at once, the changes of an interval together at its end, and nothing more', async () => {
    const told: number[][] = [];
    const notifier = new ProgressNotifier({ log, intervalMs: 300, tell: async (ids) => void told.push(ids) });

    notifier.changed([1]);
    await sleep(50);
    expect(told).toEqual([[1]]);

    notifier.changed([1]);
    notifier.changed([2, 1]);
    notifier.changed([3]);
    await sleep(100);
    expect(told).toHaveLength(1);
    await sleep(350);
    expect(told).toEqual([[1], [1, 2, 3]]);
    await sleep(400);
    expect(told).toHaveLength(2);

    // A stop of the server tells what is pending without waiting for the interval.
    notifier.changed([4]);
    await notifier.flush();
    expect(told).toEqual([[1], [1, 2, 3], [4]]);
  });

  it('keeps the operations of a failed telling for the next change', async () => {
    const told: number[][] = [];
    let fail = true;
    const notifier = new ProgressNotifier({
      log,
      intervalMs: 50,
      tell: async (ids) => {
        if (fail) throw new Error('database gone');
        told.push(ids);
      },
    });
    notifier.changed([7]);
    await sleep(30);
    expect(told).toEqual([]);
    fail = false;
    notifier.changed([8]);
    await sleep(150);
    expect(told).toEqual([[7, 8]]);
  });

  it('tells nothing after a stop', async () => {
    const told: number[][] = [];
    const notifier = new ProgressNotifier({ log, intervalMs: 200, tell: async (ids) => void told.push(ids) });
    notifier.changed([1]);
    await sleep(20);
    notifier.changed([2]);
    notifier.stop();
    await sleep(300);
    expect(told).toEqual([[1]]);
  });
});
