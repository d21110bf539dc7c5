// The management point's own router (npm run mp) over real HTTP: what a client sends in its
// request line and headers never makes it answer 500.
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRouteHandlers } from '@/lib/http/serve-route-handlers';

let server: Server;
let port = 0;

/** A GET with exactly these headers (Host included, as a client may send any). */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveRouteHandlers', () => {
  beforeAll(async () => {
    const serve = serveRouteHandlers({
      'GET /api/mp/things/[id]': (req, { params }) => params.then((p) => Response.json({ id: p.id, path: new URL(req.url).pathname })),
    });
    // As mp.ts does: what the router throws is a 500.
    server = createServer((req, res) =>
      serve(req, res).catch(() => {
        res.writeHead(500);
        res.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves a route whatever Host header the client sends, a malformed or empty one included', async () => {
    for (const host of ['mp01:3000', '[::1', 'a b', '', 'x:99999']) {
      const answer = await get('/api/mp/things/7', { host });
      expect(answer, host).toEqual({ status: 200, body: JSON.stringify({ id: '7', path: '/api/mp/things/7' }) });
    }
  });

  it('answers a request line whose URL cannot be read with 400 naming it', async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET http://[bad/api/mp/things/7 HTTP/1.1\r\nHost: mp01\r\nConnection: close\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"path":"url"');
  });

  it('answers a path parameter that is not valid percent-encoding with 400 naming the path', async () => {
    const answer = await get('/api/mp/things/%E0%A4%A', { host: 'mp01' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { fields: [{ path: 'path' }] } });
  });
});
