import { describe, expect, it } from 'vitest';
import { formatShare } from '@/components/ui/format-share';

describe('formatShare', () => {
  it('rounds to a whole percent', () => {
    expect(formatShare(1, 3)).toBe('33 %');
    expect(formatShare(2, 3)).toBe('67 %');
    expect(formatShare(0, 501)).toBe('0 %');
    expect(formatShare(501, 501)).toBe('100 %');
  });

  it('never shows some as 0 % nor all but some as 100 %', () => {
    expect(formatShare(1, 501)).toBe('<1 %');
    expect(formatShare(500, 501)).toBe('>99 %');
    expect(formatShare(1, 150)).toBe('<1 %');
    expect(formatShare(199, 200)).toBe('>99 %');
  });

  it('has no share of nothing', () => {
    expect(formatShare(0, 0)).toBe('–');
  });
});
