import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig as parseConfigFrom } from '@/lib/config';

const parseConfig = (env: Record<string, string>) => parseConfigFrom(env as NodeJS.ProcessEnv);

describe('status message configuration', () => {
  it('has working defaults', () => {
    const cfg = parseConfig({});
    expect(cfg).toMatchObject({
      SITEBOX_STATUS_INBOX_LIMIT: 200_000,
      SITEBOX_STATUS_RETRY_AFTER_SECONDS: 5,
      SITEBOX_STATUS_MAX_BATCH_BYTES: 2 * 1024 * 1024,
      SITEBOX_STATUS_MANAGER_LOOPS: 3,
      SITEBOX_STATUS_PURGE_SCHEDULE: '0 0 * * *',
      SITEBOX_STATUS_LEDGER_DAYS: 7,
    });
    expect(cfg.SITEBOX_PARENT_SITE_URL).toBeUndefined();
    expect(cfg.SITEBOX_SYSLOG).toBeUndefined();
  });

  it('accepts syslog over UDP or to a file, and a parent site URL', () => {
    expect(parseConfig({ SITEBOX_SYSLOG: 'udp://syslog.example.com:514' }).SITEBOX_SYSLOG).toBe('udp://syslog.example.com:514');
    expect(parseConfig({ SITEBOX_SYSLOG: 'file:/var/log/sitebox-status.log' }).SITEBOX_SYSLOG).toBe('file:/var/log/sitebox-status.log');
    const credential = `SiteSystem 7.${'a'.repeat(43)}`;
    const parent = parseConfig({ SITEBOX_PARENT_SITE_URL: 'https://central.example.com', SITEBOX_PARENT_SITE_CREDENTIAL: credential });
    expect(parent.SITEBOX_PARENT_SITE_URL).toBe('https://central.example.com');
    expect(parent.SITEBOX_PARENT_SITE_CREDENTIAL).toBe(credential);
  });

  it('stops with a message naming each bad variable', () => {
    const bad = () =>
      parseConfig({
        SITEBOX_STATUS_INBOX_LIMIT: 'lots',
        SITEBOX_STATUS_PURGE_SCHEDULE: 'every night',
        SITEBOX_SYSLOG: 'tcp://somewhere',
        SITEBOX_PARENT_SITE_URL: 'ftp://parent',
      });
    expect(bad).toThrow(ConfigError);
    const message = (() => {
      try {
        bad();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of ['SITEBOX_STATUS_INBOX_LIMIT', 'SITEBOX_STATUS_PURGE_SCHEDULE', 'SITEBOX_SYSLOG', 'SITEBOX_PARENT_SITE_URL']) {
      expect(message).toContain(name);
    }
  });
});
