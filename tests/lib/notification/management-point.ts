// A management point's client-facing side for notification tests: the real registration, policy, status, inventory
// and heartbeat routes and a real socket.io server with a NotificationServer, on one port kept across restarts.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NextRequest } from 'next/server';
import { Server } from 'socket.io';
import { POST as heartbeatRoute } from '@/app/api/mp/heartbeat/route';
import { POST as inventoryRoute } from '@/app/api/mp/inventory/route';
import { POST as meteringUsageRoute } from '@/app/api/mp/metering-usage/route';
import { GET as policyRoute } from '@/app/api/mp/policy/route';
import { POST as registerRoute } from '@/app/api/mp/register/route';
import { GET as scriptRoute } from '@/app/api/mp/scripts/[hash]/route';
import { POST as statusRoute } from '@/app/api/mp/status-messages/route';
import { GET as caRoute } from '@/app/api/agent/ca/route';
import type { Clock } from '@/lib/clock';
import { logger } from '@/lib/logger';
import { agentChannelOptions, NotificationServer } from '@/lib/notification/notification-server';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';
import { runtime } from '@/lib/runtime';
import { acceptTls } from '@/lib/tls/accept-tls';
import type { TransportSecurity } from '@/lib/tls/transport-security';

const routes = [
  ['/api/mp/policy', policyRoute],
  ['/api/mp/status-messages', statusRoute],
  ['/api/mp/register', registerRoute],
  ['/api/mp/inventory', inventoryRoute],
  ['/api/mp/heartbeat', heartbeatRoute],
  ['/api/mp/metering-usage', meteringUsageRoute],
  ['/api/agent/ca', caRoute],
] as const;

export class TestManagementPoint {
  port = 0;
  server: NotificationServer | null = null;
  private http: HttpServer | null = null;
  private io: Server | null = null;

  constructor(
    private readonly options: {
      connectionString: string;
      clock?: Clock;
      transports?: ('websocket' | 'polling')[];
      heartbeatSeconds?: number;
      keepAliveSeconds?: number;
      validityMinutes?: number;
      /** Serve HTTPS (as server.ts does) with these certificates; the URL is then https://localhost:<port>. */
      security?: TransportSecurity;
      /** Also open a dedicated notification port (any free one), TLS too when `security` is given. */
      dedicatedPort?: boolean;
      /** The per-device limit of client requests the notification server applies to policy requests. */
      consumeClientRequest?: (deviceId: number) => Promise<void>;
    },
  ) {}

  get url() {
    return this.options.security ? `https://localhost:${this.port}` : `http://127.0.0.1:${this.port}`;
  }

  /** The agents' sockets on the console port, as socket.io holds them. */
  agentSockets() {
    return [...(this.io?.of('/agents').sockets.values() ?? [])];
  }

  /** Ends every connection to the console port (agents reconnect), keeping the server up. */
  dropConnections(): void {
    this.io?.of('/agents').disconnectSockets(true);
    this.http?.closeAllConnections();
  }

  async start(): Promise<void> {
    this.http = createServer(async (req, res) => {
      const script = req.url?.match(/^\/api\/mp\/scripts\/([^/?]+)/);
      const handler = script ? scriptRoute : routes.find(([prefix]) => req.url?.startsWith(prefix))?.[1];
      if (!handler) return; // socket.io answers its own paths
      const request = new NextRequest(`${this.url}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === 'GET' ? undefined : (Readable.toWeb(req) as ReadableStream),
        duplex: 'half',
      } as ConstructorParameters<typeof NextRequest>[1]);
      const response = await handler(request, { params: Promise.resolve<Record<string, string>>(script ? { hash: script[1] } : {}) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    const security = this.options.security;
    if (security) {
      runtime().transportSecurity = security;
      acceptTls(this.http, security);
    }
    this.io = new Server(this.http, { ...agentChannelOptions, transports: this.options.transports ?? ['polling', 'websocket'], serveClient: false });
    this.server = new NotificationServer({
      log: logger,
      connectionString: this.options.connectionString,
      clock: this.options.clock,
      heartbeatSeconds: this.options.heartbeatSeconds ?? 1,
      flushMs: 50,
      settings: async () => ({
        port: 10123,
        keepAliveSeconds: this.options.keepAliveSeconds ?? 900,
        operationValidityMinutes: this.options.validityMinutes ?? 60,
      }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
      dedicatedPort: this.options.dedicatedPort ? { host: '127.0.0.1', port: 0 } : undefined,
      prepareDedicatedServer: security ? (server) => acceptTls(server, security) : undefined,
      consumeClientRequest: this.options.consumeClientRequest,
    });
    this.server.attach(this.io);
    await this.server.start();
    await new Promise<void>((resolve) => this.http!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await new Promise<void>((resolve) => {
      this.http?.closeAllConnections();
      if (this.io) void this.io.close(() => resolve());
      else resolve();
    });
    this.server = null;
    this.io = null;
    this.http = null;
  }
}
