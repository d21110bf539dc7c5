import { describe, expect, it } from 'vitest';
import {
  wholeNumberParam,
  decodeCursorParts,
  findUnstorable,
  int4,
  int4Id,
  int4IdParam,
  int8IdParam,
  parseIsoDate,
  safeDate,
  safeIsoString,
  safeJson,
  safeRecord,
  safeText,
} from '@/lib/validation/primitives';

const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues[0]?.message;

describe('boundary primitives', () => {
  it('ids stay within their column: int4 for Int, int8 for BigInt', () => {
    expect(int4Id().safeParse(2_147_483_647).success).toBe(true);
    expect(int4Id().safeParse(2_147_483_648).success).toBe(false);
    expect(int4Id().safeParse(0).success).toBe(false);
    expect(int4IdParam().parse('42')).toBe(42);
    for (const text of ['3000000000', '1e3', '0x10', '-1', '0', '', '1.5']) expect(int4IdParam().safeParse(text).success, text).toBe(false);
    expect(int8IdParam().parse('9223372036854775807')).toBe('9223372036854775807');
    expect(int8IdParam().safeParse('9223372036854775808').success).toBe(false);
    expect(int8IdParam().safeParse('9999999999999999999').success).toBe(false);
    for (const text of ['x1', '1e3', '-1', '', '1.5']) expect(int8IdParam().safeParse(text).error?.issues, text).toHaveLength(1);
  });

  it('whole numbers from a query string say what they must be, for text as for fractions', () => {
    const days = wholeNumberParam(1, 3650, 'a whole number of days');
    const issue = (text: string) => {
      const parsed = days.safeParse(text);
      return parsed.success ? parsed.data : parsed.error.issues[0].message;
    };
    expect(['30', ' 7 ', 'abc', '1.5', '', '0', '3651', '1e3'].map(issue)).toEqual([
      30,
      7,
      'must be a whole number of days',
      'must be a whole number of days',
      'must be 1 or more',
      'must be 1 or more',
      'must be 3650 or less',
      1000,
    ]);
  });

  it('a whole number field sent empty (null) or as text is told it must be a whole number, not zod\'s "expected number"', () => {
    const timeout = int4(1, 86_400);
    const issue = (value: unknown) => {
      const parsed = timeout.safeParse(value);
      return parsed.success ? parsed.data : parsed.error.issues[0].message;
    };
    expect([30, null, 'abc', 1.5, 0].map(issue)).toEqual([
      30,
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
      'must be 1 or more',
    ]);
  });

  it('text refuses NUL and unpaired surrogates, keeps paired ones', () => {
    expect(safeText(10).parse(' ok ')).toBe('ok');
    expect(safeText(10).parse('\ud83d\ude00')).toBe('\ud83d\ude00');
    expect(firstMessage(safeText(10).safeParse('a\u0000b'))).toBe('must not contain NUL characters');
    for (const lone of ['\udfff', '\ud800', 'a\ud800b', '\ude00\ud83d']) {
      expect(firstMessage(safeText(10).safeParse(lone))).toBe('must not contain unpaired UTF-16 surrogates');
    }
  });

  it('free-form records and JSON check names as well as values, and nesting', () => {
    const record = safeRecord({ maxKey: 64, maxValue: 100 });
    expect(record.parse({ PackageID: 'S0100001' })).toEqual({ PackageID: 'S0100001' });
    expect(record.safeParse({ '\udfff': 'v' }).success).toBe(false);
    expect(record.safeParse({ k: 'v\u0000' }).success).toBe(false);
    expect(findUnstorable({ a: [{ 'b\u0000': 1 }] })).toEqual({ path: ['a', 0, 'b\u0000'], message: 'name must not contain NUL characters' });
    let deep: unknown = 'x';
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(safeJson(8).safeParse(deep).success).toBe(false);
    expect(safeJson(12).safeParse(deep).success).toBe(true);
  });

  it('dates are real calendar dates within the years 1 to 9999', () => {
    expect(parseIsoDate('2026-02-28T10:00:00Z')?.toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(parseIsoDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseIsoDate('2026-01-01T00:00+0530')?.toISOString()).toBe('2025-12-31T18:30:00.000Z');
    expect(parseIsoDate('0004-02-29T00:00:00Z')?.toISOString()).toBe('0004-02-29T00:00:00.000Z');
    expect(parseIsoDate('2100-02-29T00:00:00Z')).toBeNull();
    for (const text of [
      '2026-13-45T99:00',
      '2026-02-30T10:00',
      '2025-02-29',
      '2026-04-31',
      '2026-01-01T24:00',
      '2026-01-01T10:60',
      '1',
      'yesterday',
    ]) {
      expect(parseIsoDate(text), text).toBeNull();
    }
    const date = safeDate();
    expect(date.parse('2026-11-22T14:00:00+01:00').toISOString()).toBe('2026-11-22T13:00:00.000Z');
    for (const value of ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', -8.64e15, 8.64e15, '0000-12-31T00:00:00Z']) {
      expect(date.safeParse(value).success, String(value)).toBe(false);
    }
    expect(safeIsoString().safeParse('2026-02-30T00:00:00.000Z').success).toBe(false);
    expect(safeIsoString().safeParse('2026-02-28T00:00:00.000Z').success).toBe(true);
  });

  it('dates in the form toISOString writes are read by the short path with the same rules', () => {
    expect(parseIsoDate('2026-11-22T14:05:09.123Z')?.getTime()).toBe(Date.UTC(2026, 10, 22, 14, 5, 9, 123));
    expect(parseIsoDate('0001-01-01T00:00:00.000Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseIsoDate('2024-02-29T23:59:59.999Z')?.toISOString()).toBe('2024-02-29T23:59:59.999Z');
    // Years below 100 are not read as 19xx, and their leap days are their own.
    expect(parseIsoDate('0004-02-29T12:00:00.000Z')?.toISOString()).toBe('0004-02-29T12:00:00.000Z');
    for (const text of [
      '2026-02-30T00:00:00.000Z',
      '2025-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T10:60:00.000Z',
      '2026-01-01T10:00:60.000Z',
      '2026-13-01T00:00:00.000Z',
      '0100-02-29T00:00:00.000Z',
      '2026-0a-01T00:00:00.000Z',
    ]) {
      expect(parseIsoDate(text), text).toBeNull();
    }
  });

  it('cursors decode only from base64url with every part present', () => {
    expect(decodeCursorParts(Buffer.from('2026-01-01T00:00:00.000Z|7').toString('base64url'), 2)).toEqual(['2026-01-01T00:00:00.000Z', '7']);
    expect(decodeCursorParts('MXwx', 2)).toEqual(['1', '1']);
    expect(decodeCursorParts('not a cursor!', 2)).toBeNull();
    expect(decodeCursorParts(Buffer.from('only').toString('base64url'), 2)).toBeNull();
  });
});
