import { describe, expect, it } from 'vitest';
import { plural, pluralWord } from '@/lib/plural';

describe('plural', () => {
  it('says one thing in the singular and every other count in the plural', () => {
    expect(plural(1, 'setting')).toBe('1 setting');
    expect(plural(0, 'setting')).toBe('0 settings');
    expect(plural(2, 'earlier document')).toBe('2 earlier documents');
    expect(plural(1200, 'entry', 'entries')).toBe('1,200 entries');
    expect(`${plural(1, 'setting')} ${pluralWord(1, 'differs', 'differ')}`).toBe('1 setting differs');
  });

  it('agrees with the English rules of Intl for every kind of count', () => {
    const englishRules = new Intl.PluralRules('en-US');
    const englishCounts = new Intl.NumberFormat('en-US');
    for (const count of [-1001, -1000, -2, -1, 0, 1, 2, 999, 1000, 1_234_567, 1.5, 0.5, -1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
      const word = englishRules.select(count) === 'one' ? 'item' : 'items';
      expect(pluralWord(count, 'item'), String(count)).toBe(word);
      expect(plural(count, 'item'), String(count)).toBe(`${englishCounts.format(count)} ${word}`);
    }
  });
});
