import { describe, expect, it } from 'vitest';
import { returnPath } from '@/lib/auth/return-path';

describe('returnPath', () => {
  it('keeps a path of the site with its query and fragment', () => {
    expect(returnPath('/assets/devices?page=2&sort=name#top')).toBe('/assets/devices?page=2&sort=name#top');
    expect(returnPath('/')).toBe('/');
  });

  it('sends anything the browser would read as another host to the start page', () => {
    for (const next of ['//evil.example', '/\\evil.example', '/\\/evil.example', '/\t/evil.example', '/\n/evil.example', '\\\\evil.example'])
      expect(returnPath(next), JSON.stringify(next)).toBe('/');
  });

  it('takes no address at all, a relative one or an absolute URL as the start page', () => {
    for (const next of [undefined, '', 'assets', 'https://evil.example/', 'javascript:alert(1)']) expect(returnPath(next)).toBe('/');
  });

  it('takes a repeated next (?next=a&next=b) as no path instead of failing', () => {
    expect(returnPath(['/assets/devices', '/administration/users'])).toBe('/');
  });
});
