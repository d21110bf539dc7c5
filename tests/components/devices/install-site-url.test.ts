import { describe, expect, it } from 'vitest';
import { installSiteUrl } from '@/components/devices/install-site-url';

const url = (reachedHost: string | null, secure: boolean, forwardedProto: string | null = null) =>
  installSiteUrl({ reachedHost, forwardedProto, secure, serverName: 'site01.corp.example.com' });

describe('installSiteUrl', () => {
  it('names the site as the browser reached it', () => {
    expect(url('site01:3000', true)).toBe('https://site01:3000');
    expect(url('sitebox.corp.example.com', false, 'https')).toBe('https://sitebox.corp.example.com');
    expect(url('10.1.2.3:3000', false)).toBe('http://10.1.2.3:3000');
  });

  it("names the server, never localhost, when the browser is on the site server: a client's localhost is itself", () => {
    for (const secure of [true, false]) {
      const scheme = secure ? 'https' : 'http';
      expect(url('localhost:3100', secure)).toBe(`${scheme}://site01.corp.example.com:3100`);
      expect(url('127.0.0.1:3000', secure)).toBe(`${scheme}://site01.corp.example.com:3000`);
      expect(url('[::1]:3000', secure)).toBe(`${scheme}://site01.corp.example.com:3000`);
      expect(url('LOCALHOST', secure)).toBe(`${scheme}://site01.corp.example.com`);
      expect(url(null, secure)).toBe(`${scheme}://site01.corp.example.com:3000`);
    }
  });
});
