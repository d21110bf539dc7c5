import { describe, expect, it } from 'vitest';
import { classifyFailure } from '@/lib/quarantine/classify-failure';
import { isolateFailures } from '@/lib/quarantine/isolate-failures';
import { storablePayload, storableText } from '@/lib/quarantine/storable-text';
import { unstorableTextReason } from '@/lib/validation/primitives';

const dbError = (code: string) => Object.assign(new Error(`error ${code}`), { code });

describe('classifyFailure', () => {
  it('calls data and integrity errors poison', () => {
    for (const code of ['22003', '22P05', '22P02', '23505', '23503', '54000']) expect(classifyFailure(dbError(code))).toBe('poison');
    expect(classifyFailure(new RangeError('Invalid time value'))).toBe('poison');
  });

  it('calls connection loss, shutdown, serialization failures, deadlocks and anything unknown transient', () => {
    for (const code of ['08006', '08003', '57P01', '57P03', '57014', '40001', '40P01', '53300', '25P02', '42601']) {
      expect(classifyFailure(dbError(code))).toBe('transient');
    }
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });
});

describe('isolateFailures', () => {
  const failingOn = (bad: Set<number>, error: () => Error) => async (items: readonly number[]) => {
    if (items.some((i) => bad.has(i))) throw error();
    return [...items];
  };

  it('finds the items that fail alone and runs every other item', async () => {
    const poisoned: number[] = [];
    const items = Array.from({ length: 13 }, (_, i) => i);
    const outcome = await isolateFailures({
      items,
      run: failingOn(new Set([3, 11]), () => dbError('22003')),
      onPoison: async (item) => void poisoned.push(item),
    });
    expect(poisoned).toEqual([3, 11]);
    expect(outcome.poisoned.map((p) => p.item)).toEqual([3, 11]);
    expect(outcome.results.flat().sort((a, b) => a - b)).toEqual(items.filter((i) => i !== 3 && i !== 11));
  });

  it('runs a batch once when it succeeds', async () => {
    let runs = 0;
    const outcome = await isolateFailures({ items: [1, 2, 3], run: async (items) => (runs++, items.length), onPoison: async () => undefined });
    expect(runs).toBe(1);
    expect(outcome).toEqual({ results: [3], poisoned: [] });
  });

  it('throws a transient failure as it is and sets nothing aside', async () => {
    const poisoned: number[] = [];
    for (const code of ['08006', '40001', '40P01', '57P01']) {
      await expect(
        isolateFailures({
          items: [1, 2, 3, 4],
          run: failingOn(new Set([2]), () => dbError(code)),
          onPoison: async (item) => void poisoned.push(item),
        }),
      ).rejects.toMatchObject({ code });
    }
    expect(poisoned).toEqual([]);
  });
});

describe('storable text', () => {
  it('replaces lone surrogates and NUL, keeps pairs', () => {
    expect(storableText('a\udfffb\ud800\u0000😀')).toBe('a\ufffdb\ufffd\ufffd😀');
  });

  it('cuts a long text without leaving half an emoji at the cut, so the status message naming it can be stored', () => {
    for (const before of ['', 'a']) {
      const text = storableText(`${before}${'😀'.repeat(20)}`, 10);
      expect(text).toHaveLength(10);
      expect(text.endsWith('…')).toBe(true);
      expect(unstorableTextReason(text)).toBeNull();
    }
  });

  it('keeps a payload exactly, escaped', () => {
    const item = { properties: { '\udfff': 'v\u0000' } };
    const text = storablePayload(item);
    expect(text).toBe('{"properties":{"\\udfff":"v\\u0000"}}');
    expect(JSON.parse(text)).toEqual(item);
  });
});
