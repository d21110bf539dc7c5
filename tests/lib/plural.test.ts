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
});
