// Sitebox's one entry point: the console (Next.js) and socket.io share one port; the
// embedded database (when DATABASE_URL is unset) and the workers run as supervised processes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import next from 'next';
import { Server as SocketServer } from 'socket.io';
import { config, ConfigError } from './lib/config';
import { prepareDataDir } from './lib/data-dir';
import { startDatabaseHost } from './lib/db/database-host';
import { migrate } from './lib/db/migrator';
import { closePool, pool } from './lib/db/pool';
import { closePrisma } from './lib/db/prisma';
import { bootstrapAdministrator } from './lib/auth/bootstrap-admin';
import { CLIENT_ADDRESS_HEADER } from './lib/http/client-address';
import { startLiveConsole } from './lib/live/start-live-console';
import { logger } from './lib/logger';
import { listenFailure } from './lib/net/listen-failure';
import { agentChannelOptions } from './lib/notification/notification-server';
import { startNotificationService } from './lib/live/start-notification-service';
import { runtime } from './lib/runtime';
import { isStatusIngest, serveStatusIngest } from './lib/ingest/serve-status-ingest';
import { deviceUploads } from './lib/http/serve-device-uploads';
import { originFormTarget, refuseRequestTarget } from './lib/http/request-target';
import { hasUndecodablePath, refuseUndecodablePath } from './lib/http/undecodable-path';
import { StatusIngestThreads, useIngestThreads } from './lib/ingest/5-ingest-threads';
import { retireDemoPlaceholders } from './lib/seed/retire-demo-placeholders';
import { seedDemoSite } from './lib/seed/seed-demo-site';
import { registerThisServer } from './lib/sites/register-this-server';
import { serverProcessComponents } from './lib/sites/server-components';
import { startComponentLifeCycle } from './lib/reporting/component-life-cycle';
import { Supervisor } from './lib/workers/supervisor';
import { acceptTls, isLoopback } from './lib/tls/accept-tls';
import { startSiteTransportSecurity } from './lib/tls/site-transport-security';
import { selectWorkers, workersApart } from './workers/registry';
import { startRoleHeartbeat } from './lib/workers/role-heartbeat';

const log = logger.child({ component: 'server' });

async function main() {
  const cfg = config();
  await prepareDataDir(cfg);
  const database = cfg.embedded ? await startDatabaseHost() : null;
  if (database) log.info({ dataDir: cfg.dataDir }, 'embedded PostgreSQL started');

  const { applied } = await migrate({ connectionString: cfg.databaseUrl, log: (m) => log.info(m) });
  log.info({ applied: applied.length }, 'database schema is current');
  const workers = selectWorkers(cfg.SITEBOX_WORKERS);
  const seeded = await seedDemoSite({ devices: cfg.SITEBOX_SEED_DEVICES, workers });
  if (seeded.created) log.info(seeded, 'seeded the demo site');
  const registration = await registerThisServer({ workers, retirePlaceholders: retireDemoPlaceholders });
  if (registration.retired.length) log.info(registration, 'this server is the site server; retired the seed placeholders that never reported');
  const admin = await bootstrapAdministrator({ configuredPassword: cfg.SITEBOX_ADMIN_PASSWORD });

  const dev = process.env.SITEBOX_DEV === '1';
  const app = next({ dev, dir: process.cwd(), hostname: cfg.HOST, port: cfg.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  // HTTPS on the console port and the notification port (plain HTTP only from this computer).
  // From the root logger: a child of `log` would carry a second "component" key in each JSON line.
  const tlsLog = logger.child({ component: 'transport security' });
  const security = await startSiteTransportSecurity(cfg, tlsLog);
  if (security) runtime().transportSecurity = security;
  const serveTls = (target: ReturnType<typeof createServer>) =>
    acceptTls(target, security!, {
      onTlsError: (error, socket) => tlsLog.debug({ err: error.message, peer: socket.remoteAddress }, 'TLS handshake failed'),
    });

  const uploads = deviceUploads();
  const server = createServer((req, res) => {
    const target = originFormTarget(req.url);
    if (target === null) return refuseRequestTarget(res);
    req.url = target;
    if (isStatusIngest(req)) return void serveStatusIngest(req, res);
    if (uploads.handles(req)) return void uploads.serve(req, res);
    if (hasUndecodablePath(req)) return refuseUndecodablePath(res);
    // Route handlers cannot see the socket; tell them the peer's address, overwriting any claim.
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? 'unknown';
    // Decrypted here: the page, the cookies (Secure) and the install commands say https.
    if ((req.socket as TLSSocket).encrypted) req.headers['x-forwarded-proto'] = 'https';
    void handle(req, res);
  });
  const stopServingTls = security ? serveTls(server) : () => undefined;
  // Other upgrades (Next's dev reload) are not socket.io's to refuse.
  const io = new SocketServer(server, { destroyUpgrade: false, serveClient: false, ...agentChannelOptions });
  if (dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgrade(req, socket, head);
    });
  }
  const liveConsole = startLiveConsole({ io, db: pool(), log });
  const notificationServer = await startNotificationService({ io, cfg, log: logger, serveTls: security ? serveTls : undefined });
  runtime().notificationServer = notificationServer;
  const ingestThreads = cfg.SITEBOX_STATUS_INGEST_THREADS
    ? new StatusIngestThreads({ connectionString: cfg.databaseUrl, threads: cfg.SITEBOX_STATUS_INGEST_THREADS })
    : undefined;
  useIngestThreads(ingestThreads);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      const reason = listenFailure(error, { host: cfg.HOST, port: cfg.PORT, hostVariable: 'HOST', portVariable: 'PORT' });
      reject(reason ? new ConfigError(`Sitebox did not start:\n  ${reason}`) : error);
    });
    server.listen(cfg.PORT, cfg.HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;

  // This process is the console and a management point: both show in /api/health beside every other instance.
  const roles = await startRoleHeartbeat({
    db: pool(),
    names: ['console', 'management-point'],
    intervalSeconds: cfg.SITEBOX_WORKER_HEARTBEAT_SECONDS,
    log,
  });
  const supervisor = new Supervisor({ names: workers, apart: workersApart(cfg.SITEBOX_WORKERS_APART), log });
  runtime().supervisorStatus = () => supervisor.status();
  supervisor.start();
  const components = startComponentLifeCycle({ components: serverProcessComponents, log });

  const host = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? 'localhost' : cfg.HOST;
  log.info({ url: `http://${host}:${port}` }, 'console ready');
  console.log(`\n  Sitebox console: http://${host}:${port}\n`);
  if (security) {
    const remote = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? cfg.SITEBOX_SERVER_NAME : cfg.HOST;
    tlsLog.info({ caFingerprint: security.caFingerprint(), validTo: security.validTo().toISOString() }, 'serving HTTPS');
    if (isLoopback(cfg.HOST) || cfg.HOST === 'localhost') console.log(`  Over HTTPS: https://${cfg.HOST}:${port}`);
    else console.log(`  From other computers: https://${remote}:${port} (plain HTTP is served to this computer only)`);
    console.log(`  Site certificate authority SHA-256: ${security.caFingerprint()}\n`);
  }
  if (admin?.oneTimePassword) {
    // Shown this once and never logged: the administrator must change it at first sign-in.
    console.log(`  First sign-in: user "admin", one-time password: ${admin.oneTimePassword}\n`);
  } else if (admin) {
    console.log('  First sign-in: user "admin" with the password from SITEBOX_ADMIN_PASSWORD\n');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    security?.stop();
    stopServingTls();
    await components.stop();
    await supervisor.stop();
    await notificationServer.stop();
    await liveConsole.close();
    // Resolves only once the HTTP server has closed, which waits for the connections closed below.
    void io.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await ingestThreads?.close();
    await roles.stop();
    await app.close?.().catch(() => undefined);
    await Promise.all([closePool(), closePrisma()]);
    await database?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'Sitebox did not start');
  process.exit(1);
});
