// Simulated agents' status reporters share the simulator's keep-alive pool: fetchWithTrust given
// an http.Agent sends through it, so a hundred reporters posting at once use the pool's few
// connections instead of a connection each (what the metering flood's 500 reporters cost).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithTrust } from '@/lib/agent/tls-pin';

let server: http.Server;
let url: string;
let connections = 0;
const bodies: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":1}');
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mp/status-messages`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('fetchWithTrust over a shared pool', () => {
  it('sends every request through the given keep-alive pool', async () => {
    const pool = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const send = fetchWithTrust(undefined, pool);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(`{"n":${i}}`) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(await answers[0].json()).toEqual({ accepted: 1 });
    expect(bodies).toHaveLength(100);
    expect(new Set(bodies).size).toBe(100);
    expect(connections).toBeLessThanOrEqual(2);
    pool.destroy();
  });
});
