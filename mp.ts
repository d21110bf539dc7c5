// A management point as a process of its own (`npm run mp`): the client endpoints — registration,
// policy, status ingest, inventory, heartbeat discovery, approved script texts, child sites' link reports, the site's CA
// certificate and the agent download — and the notification server, on Node's HTTP server without Next.js. Any number of
// them serve one site from several hosts against the shared DATABASE_URL; agents fail over
// between them. The console (`npm start`) keeps serving the same endpoints itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { GET as caRoute } from './app/api/agent/ca/route';
import { GET as downloadRoute } from './app/api/agent/download/route';
import { POST as childSiteLinkRoute } from './app/api/mp/child-site-link/route';
import { GET as policyRoute } from './app/api/mp/policy/route';
import { POST as registerRoute } from './app/api/mp/register/route';
import { GET as scriptRoute } from './app/api/mp/scripts/[hash]/route';
import { config, ConfigError, serverName } from './lib/config';
import { prepareDataDir } from './lib/data-dir';
import { closePool, pool } from './lib/db/pool';
import { closePrisma } from './lib/db/prisma';
import { deviceUploads } from './lib/http/serve-device-uploads';
import { serveRouteHandlers, type RouteHandler } from './lib/http/serve-route-handlers';
import { StatusIngestThreads, useIngestThreads } from './lib/ingest/5-ingest-threads';
import { isStatusIngest, serveStatusIngest } from './lib/ingest/serve-status-ingest';
import { logger } from './lib/logger';
import { processMetrics } from './lib/metrics/registry';
import { agentChannelOptions } from './lib/notification/notification-server';
import { startNotificationService } from './lib/live/start-notification-service';
import { startComponentLifeCycle } from './lib/reporting/component-life-cycle';
import { runtime } from './lib/runtime';
import { registerSiteSystem } from './lib/sites/register-site-system-repo';
import { managementPointComponents } from './lib/sites/server-components';
import { acceptTls } from './lib/tls/accept-tls';
import { startSiteTransportSecurity } from './lib/tls/site-transport-security';
import { startRoleHeartbeat } from './lib/workers/role-heartbeat';

const log = logger.child({ component: 'management point' });

/** The client endpoints a management point answers through their route handlers (the busiest ones are served before them). */
const routes: Record<string, RouteHandler> = {
  'POST /api/mp/register': registerRoute as RouteHandler,
  'GET /api/mp/policy': policyRoute as RouteHandler,
  'GET /api/mp/scripts/[hash]': scriptRoute as RouteHandler,
  'POST /api/mp/child-site-link': childSiteLinkRoute as RouteHandler,
  'GET /api/agent/ca': caRoute as RouteHandler,
  'GET /api/agent/download': downloadRoute as RouteHandler,
};

async function main() {
  const cfg = config();
  process.env.SITEBOX_PROCESS = 'management-point';
  await prepareDataDir(cfg);
  const db = pool();
  // A site system of its site with the management point role, under SITEBOX_SERVER_NAME.
  await registerSiteSystem(db, {
    siteCode: cfg.SITEBOX_SITE_CODE,
    name: serverName(),
    roles: ['MANAGEMENT_POINT'],
    components: managementPointComponents,
  });

  // From the root logger: a child of `log` would carry a second "component" key in each JSON line.
  const tlsLog = logger.child({ component: 'transport security' });
  const security = await startSiteTransportSecurity(cfg, tlsLog);
  if (security) runtime().transportSecurity = security;
  const serveTls = (target: ReturnType<typeof createServer>) =>
    acceptTls(target, security!, {
      onTlsError: (error, socket) => tlsLog.debug({ err: error.message, peer: socket.remoteAddress }, 'TLS handshake failed'),
    });

  const uploads = deviceUploads();
  const serveRoutes = serveRouteHandlers(routes);
  const server = createServer((req, res) => {
    if (isStatusIngest(req)) return void serveStatusIngest(req, res);
    if (uploads.handles(req)) return void uploads.serve(req, res);
    // socket.io answers its own path; the rest is a route handler or a 404.
    if (req.url?.startsWith('/socket.io/')) return;
    serveRoutes(req, res).catch((error) => {
      log.error({ err: error, path: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Something went wrong on the management point.' } }));
    });
  });
  const stopServingTls = security ? serveTls(server) : () => undefined;
  const io = new SocketServer(server, { serveClient: false, ...agentChannelOptions });
  const notificationServer = await startNotificationService({ io, cfg, log: logger, serveTls: security ? serveTls : undefined });
  runtime().notificationServer = notificationServer;
  const ingestThreads = cfg.SITEBOX_STATUS_INGEST_THREADS
    ? new StatusIngestThreads({ connectionString: cfg.databaseUrl, threads: cfg.SITEBOX_STATUS_INGEST_THREADS })
    : undefined;
  useIngestThreads(ingestThreads);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.PORT, cfg.HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const heartbeat = await startRoleHeartbeat({
    db,
    names: ['management-point'],
    intervalSeconds: cfg.SITEBOX_WORKER_HEARTBEAT_SECONDS,
    log,
    metrics: () => processMetrics().getMetricsAsJSON(),
  });
  const components = startComponentLifeCycle({ components: managementPointComponents, log });
  const host = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? 'localhost' : cfg.HOST;
  log.info({ url: `http://${host}:${port}`, notificationPort: notificationServer.dedicatedPort() }, 'management point ready');
  console.log(`\n  Sitebox management point: http://${host}:${port}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    security?.stop();
    stopServingTls();
    await components.stop();
    await notificationServer.stop();
    void io.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await ingestThreads?.close();
    await heartbeat.stop();
    await Promise.all([closePool(), closePrisma()]);
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'the management point did not start');
  process.exit(1);
});
