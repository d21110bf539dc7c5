import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { config, ConfigError, parseConfig, resetConfig } from '@/lib/config';

/** An environment holding only `vars` (Next's types insist on NODE_ENV). */
const env = (vars: Record<string, string> = {}): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', ...vars });

function configErrorOf(vars: Record<string, string>): ConfigError {
  try {
    parseConfig(env(vars));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('parseConfig accepted a bad environment');
}

describe('parseConfig', () => {
  it('gives every setting a default, so a fresh machine needs no environment at all', () => {
    const c = parseConfig(env());
    expect(c).toMatchObject({
      SITEBOX_DATA_DIR: '.sitebox',
      SITEBOX_EMBEDDED_PG_PORT: 54329,
      HOST: '0.0.0.0',
      PORT: 3000,
      LOG_LEVEL: 'info',
      SITEBOX_SITE_CODE: 'S01',
      SITEBOX_SEED_DEVICES: 500,
      SITEBOX_WORKER_HEARTBEAT_SECONDS: 10,
    });
    expect(c.dataDir).toBe(path.resolve('.sitebox'));
  });

  it('serves HTTPS with its own certificates by default, and takes the administrator’s only with both files', () => {
    expect(parseConfig(env()).SITEBOX_TLS).toBe('auto');
    expect(parseConfig(env({ SITEBOX_TLS: 'off' })).SITEBOX_TLS).toBe('off');
    expect(configErrorOf({ SITEBOX_TLS: 'provided', SITEBOX_TLS_CERT: '/etc/sitebox/server.pem' }).message).toContain(
      'SITEBOX_TLS_CERT: and SITEBOX_TLS_KEY are required with SITEBOX_TLS=provided',
    );
    expect(configErrorOf({ SITEBOX_TLS: 'on' }).message).toContain('SITEBOX_TLS: must be auto, provided or off');
    expect(configErrorOf({ SITEBOX_TLS_HOSTS: 'mp01, mp02' }).message).toContain(
      'SITEBOX_TLS_HOSTS: must be comma-separated host names or IP addresses',
    );
    expect(parseConfig(env({ SITEBOX_TLS_HOSTS: 'mp01.corp.example.com,203.0.113.7' })).SITEBOX_TLS_HOSTS).toBe('mp01.corp.example.com,203.0.113.7');
  });

  it('runs its own PostgreSQL when DATABASE_URL is unset, on the configured port', () => {
    expect(parseConfig(env())).toMatchObject({
      embedded: true,
      databaseUrl: 'postgresql://postgres:postgres@127.0.0.1:54329/sitebox',
    });
    expect(parseConfig(env({ SITEBOX_EMBEDDED_PG_PORT: '55000' })).databaseUrl).toBe('postgresql://postgres:postgres@127.0.0.1:55000/sitebox');
    // An empty variable (DATABASE_URL= in a .env file) means unset, not "invalid".
    expect(parseConfig(env({ DATABASE_URL: '' })).embedded).toBe(true);
  });

  it('keeps an empty SITEBOX_WORKERS (no workers) apart from an unset one (all workers)', () => {
    expect(parseConfig(env({ SITEBOX_WORKERS: '' })).SITEBOX_WORKERS).toBe('');
    expect(parseConfig(env()).SITEBOX_WORKERS).toBeUndefined();
  });

  it('names this server by SITEBOX_SERVER_NAME, by default the host name, and refuses what is no host name', () => {
    expect(parseConfig(env()).SITEBOX_SERVER_NAME).toBe(os.hostname());
    expect(parseConfig(env({ SITEBOX_SERVER_NAME: 's01-ss01.corp.example.com' })).SITEBOX_SERVER_NAME).toBe('s01-ss01.corp.example.com');
    for (const bad of ['bad name', '-s01', 's01..corp', 's01_ss01', 'a'.repeat(64)]) {
      expect(configErrorOf({ SITEBOX_SERVER_NAME: bad }).message).toMatch(/^\s*SITEBOX_SERVER_NAME: must be a host name/m);
    }
  });

  it('refuses a site name holding a right-to-left override or another direction control, naming SITEBOX_SITE_NAME', () => {
    expect(parseConfig(env({ SITEBOX_SITE_NAME: 'Zürich – Nord' })).SITEBOX_SITE_NAME).toBe('Zürich – Nord');
    for (const bad of ['Lyon \u202Ereversed', '\u2067Lyon', 'Lyon\u200F']) {
      expect(configErrorOf({ SITEBOX_SITE_NAME: bad }).message).toMatch(/^\s*SITEBOX_SITE_NAME: must not hold text direction controls/m);
    }
  });

  it('uses DATABASE_URL as given when it is set', () => {
    const url = 'postgres://sitebox:secret@db.example:5432/sitebox';
    expect(parseConfig(env({ DATABASE_URL: url }))).toMatchObject({ embedded: false, databaseUrl: url });
  });

  it('coerces numbers from strings and accepts PORT=0 (any free port)', () => {
    expect(parseConfig(env({ PORT: '8080', SITEBOX_SEED_DEVICES: '0' }))).toMatchObject({ PORT: 8080, SITEBOX_SEED_DEVICES: 0 });
    expect(parseConfig(env({ PORT: '0' })).PORT).toBe(0);
  });

  it('names each bad variable in the error', () => {
    expect(configErrorOf({ PORT: 'abc' }).message).toMatch(/^\s*PORT: /m);

    const message = configErrorOf({
      PORT: '70000',
      DATABASE_URL: 'mysql://localhost/sitebox',
      SITEBOX_SITE_CODE: 's1',
      LOG_LEVEL: 'loud',
    }).message;
    for (const name of ['PORT', 'DATABASE_URL', 'SITEBOX_SITE_CODE', 'LOG_LEVEL']) {
      expect(message).toMatch(new RegExp(`^\\s*${name}: `, 'm'));
    }
    expect(message).toContain('must be a postgresql:// connection string');
    expect(message).not.toContain('SITEBOX_DATA_DIR');
  });

  it('refuses a purge schedule no date matches, which would never delete aged status messages', () => {
    for (const pattern of ['0 0 31 2 *', '0 0 31 4 *']) {
      expect(configErrorOf({ SITEBOX_STATUS_PURGE_SCHEDULE: pattern }).message).toMatch(
        /^\s*SITEBOX_STATUS_PURGE_SCHEDULE: never comes: no date matches it/m,
      );
    }
    expect(parseConfig(env({ SITEBOX_STATUS_PURGE_SCHEDULE: '0 3 29 2 *' })).SITEBOX_STATUS_PURGE_SCHEDULE).toBe('0 3 29 2 *');
  });

  it('needs the credential the parent issued whenever a parent site is set', () => {
    const url = 'http://central.example.com:3000';
    expect(configErrorOf({ SITEBOX_PARENT_SITE_URL: url }).message).toMatch(
      /^\s*SITEBOX_PARENT_SITE_CREDENTIAL: is required with SITEBOX_PARENT_SITE_URL/m,
    );
    expect(configErrorOf({ SITEBOX_PARENT_SITE_URL: url, SITEBOX_PARENT_SITE_CREDENTIAL: 'hunter2' }).message).toMatch(
      /SITEBOX_PARENT_SITE_CREDENTIAL: must be a site system credential/,
    );
    const credential = `SiteSystem 3.${'a'.repeat(43)}`;
    expect(parseConfig({ SITEBOX_PARENT_SITE_URL: url, SITEBOX_PARENT_SITE_CREDENTIAL: credential }).SITEBOX_PARENT_SITE_CREDENTIAL).toBe(credential);
  });
});

describe('config()', () => {
  const saved = process.env.PORT;
  afterEach(() => {
    if (saved === undefined) delete process.env.PORT;
    else process.env.PORT = saved;
    resetConfig();
  });

  it('reads the environment once, and again after resetConfig()', () => {
    process.env.PORT = '4001';
    resetConfig();
    expect(config().PORT).toBe(4001);
    process.env.PORT = '4002';
    expect(config().PORT).toBe(4001);
    resetConfig();
    expect(config().PORT).toBe(4002);
  });
});
