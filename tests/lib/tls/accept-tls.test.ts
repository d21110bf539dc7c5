// One port, both protocols: HTTPS for everyone, plain HTTP only for this computer; another
// computer asking over plain HTTP is sent to HTTPS (a page) or told to use it (anything else).
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptTls, isLoopback } from '@/lib/tls/accept-tls';
import { serverNames } from '@/lib/tls/site-certificates';
import { startTransportSecurity, type TransportSecurity } from '@/lib/tls/transport-security';

let dir = '';
let security: TransportSecurity;
const servers: http.Server[] = [];

async function serve(plainHttp?: () => boolean, timeoutMs?: number): Promise<number> {
  const server = http.createServer((req, res) => res.end(`${(req.socket as TLSSocket).encrypted ? 'https' : 'http'} ${req.url}`));
  acceptTls(server, security, { ...(plainHttp ? { plainHttp } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(url, { ...options, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-accept-tls-'));
  security = await startTransportSecurity({
    mode: 'auto',
    dir,
    siteCode: 'S01',
    names: () => serverNames({ hosts: [], addresses: [] }),
    log: { info() {}, warn() {}, error() {} },
    checkEveryMs: 0,
  });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  security?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTTPS and HTTP on one port', () => {
  it('tells loopback addresses from others', () => {
    expect(['127.0.0.1', '127.5.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', undefined].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('serves HTTPS with the site certificate, and plain HTTP to this computer', async () => {
    const port = await serve();
    expect(await get(`https://localhost:${port}/a`, { ca: security.caPem() })).toMatchObject({ status: 200, body: 'https /a' });
    expect(await get(`https://127.0.0.1:${port}/b`, { ca: security.caPem() })).toMatchObject({ status: 200, body: 'https /b' });
    expect(await get(`http://127.0.0.1:${port}/c`)).toMatchObject({ status: 200, body: 'http /c' });
    // A client that does not trust the site's authority does not get through.
    await expect(get(`https://localhost:${port}/d`)).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('refuses plain HTTP from another computer: pages go to HTTPS, everything else is told to use it', async () => {
    const port = await serve(() => false);
    expect(await get(`http://127.0.0.1:${port}/assets/devices?x=1`)).toMatchObject({
      status: 308,
      headers: { location: `https://127.0.0.1:${port}/assets/devices?x=1` },
    });
    const api = await get(`http://127.0.0.1:${port}/api/mp/policy`);
    expect(api.status).toBe(426);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'HTTPS_REQUIRED' } });
    expect(await get(`https://localhost:${port}/e`, { ca: security.caPem() })).toMatchObject({ status: 200, body: 'https /e' });
  });

  it('closes a connection that stalls in its TLS handshake as soon as one that never speaks', async () => {
    const port = await serve(undefined, 300);
    const closedAfter = (first: Buffer | null) =>
      new Promise<number>((resolve) => {
        const started = Date.now();
        const socket = net.connect(port, '127.0.0.1', () => first && socket.write(first));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
      });
    // Silent, then the first bytes of a ClientHello and nothing more.
    const [silent, stalled] = await Promise.all([closedAfter(null), closedAfter(Buffer.from([0x16, 0x03, 0x01]))]);
    expect(silent).toBeLessThan(5_000);
    expect(stalled).toBeLessThan(5_000);
  }, 20_000);
});
