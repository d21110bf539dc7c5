import { describe, expect, it } from 'vitest';
import { originFormTarget } from '@/lib/http/request-target';

describe('originFormTarget', () => {
  it('keeps a path as sent', () => {
    expect(originFormTarget('/api/health?x=1')).toBe('/api/health?x=1');
    expect(originFormTarget('//x/api/health')).toBe('//x/api/health');
    expect(originFormTarget('/api/mp/scripts/%E0%A4%A')).toBe('/api/mp/scripts/%E0%A4%A');
  });

  it('reads the path and query of an absolute-form target, escapes kept', () => {
    expect(originFormTarget('http://x/api/health')).toBe('/api/health');
    expect(originFormTarget('HTTPS://Sitebox.example:3000/devices?q=a%20b')).toBe('/devices?q=a%20b');
    expect(originFormTarget('http://x')).toBe('/');
    expect(originFormTarget('http://x/%zz')).toBe('/%zz');
  });

  it('names no path for the asterisk form, a bad authority, another scheme or nothing', () => {
    for (const target of ['*', 'http://[::1', 'http://x:99999/', 'mailto:a@b', 'ftp://x/file', 'x', '', undefined])
      expect(originFormTarget(target), String(target)).toBeNull();
  });
});
