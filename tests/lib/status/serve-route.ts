import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NextRequest } from 'next/server';

type Handler = (req: NextRequest) => Promise<Response>;

/**
 * A real HTTP server around route handlers (path → handler), for tests that need the network
 * between a reporter and the management point: refused connections, restarts, real bodies.
 */
export class RouteServer {
  private server: Server | null = null;
  port = 0;

  constructor(private readonly routes: Record<string, Handler>) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const handler = this.routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (!handler) return void res.writeHead(404).end();
      const request = new NextRequest(`http://127.0.0.1:${this.port}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === 'GET' ? undefined : (Readable.toWeb(req) as ReadableStream),
        duplex: 'half',
      } as ConstructorParameters<typeof NextRequest>[1]);
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    // The same port across restarts, so a reporter keeps its configured URL.
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
