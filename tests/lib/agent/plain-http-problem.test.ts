// An agent given https:// for a management point that serves plain HTTP (a site started with
// SITEBOX_TLS=off): registration and `install --ca-fingerprint` say so in words, instead of
// OpenSSL's "write EPROTO … wrong version number".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrRegisterCredential } from '@/lib/agent/register-agent';
import { certificateProblem, fetchPinnedCa, plainHttpProblem } from '@/lib/agent/tls-pin';

const SAID =
  'the management point answered in plain HTTP, not HTTPS: give its address with http:// (a site started with SITEBOX_TLS=off), or check the port';

describe('an https:// management point answering plain HTTP', () => {
  let server: http.Server;
  let url = '';
  let dir = '';

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-plain-http-'));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('is named as plain HTTP when the agent registers', async () => {
    const error: unknown = await loadOrRegisterCredential({
      managementPointUrl: url,
      stateDir: dir,
      identity: { name: 'PLAIN-01', osName: 'Debian GNU/Linux 12', osVersion: '12', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(plainHttpProblem(error)).toBe(SAID);
    expect(certificateProblem(error, false)).toBeNull();
  });

  it('is named as plain HTTP when install fetches the site authority', async () => {
    const error: unknown = await fetchPinnedCa({ managementPointUrl: url, fingerprint: 'AB'.repeat(32) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(plainHttpProblem(error)).toBe(SAID);
  });

  it('is not said of a management point that is down', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error: unknown = await fetchPinnedCa({ managementPointUrl: `https://127.0.0.1:${port}`, fingerprint: 'AB'.repeat(32) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(plainHttpProblem(error)).toBeNull();
  });
});
