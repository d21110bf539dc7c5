// The Sitebox client agent:
//   npm run agent -- --mp http://mp01:3000 [--mp http://mp02:3000] [--name NYC-WS-0042]
//                    [--state ./agent-state] [--notification-port 10123] [--transport websocket|polling]
//   npm run agent -- --mp http://mp01:3000 --simulate 1000 [--name SIM]   (a simulated fleet)
// Registers on first start (the credential is kept in --state), then stays connected to the
// management point's notification server, polls policy, reports status and performs pushed actions.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ClientAgent } from '../lib/agent/agent';
import { createDeploymentRunner } from '../lib/agent/deployment-runner';
import { loadOrRegisterCredential } from '../lib/agent/register-agent';
import { AgentSimulator } from '../lib/agent/simulator';
import type { RegisterDeviceInput } from '../lib/protocol/registration.schema';
import { createStatusReporter } from '../lib/status/reporter';

const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { component: 'CCM_NOTIFICATION_AGENT' } });

function firstIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

async function main() {
  const { values } = parseArgs({
    options: {
      mp: { type: 'string', multiple: true },
      name: { type: 'string', default: os.hostname().split('.')[0].replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63) },
      state: { type: 'string' },
      site: { type: 'string', default: 'S01' },
      'notification-port': { type: 'string' },
      transport: { type: 'string' },
      'os-name': { type: 'string', default: `${os.type()} ${os.release()}` },
      'os-version': { type: 'string', default: os.release() },
      'os-kind': { type: 'string', default: 'WORKSTATION' },
      simulate: { type: 'string' },
    },
  });
  const urls = values.mp ?? [];
  if (!urls.length) {
    console.error('usage: npm run agent -- --mp <management point URL> [--mp <another>] [--name NAME] [--state DIR]');
    process.exit(2);
  }
  const notificationPort = values['notification-port'] ? Number(values['notification-port']) : undefined;
  const transports = values.transport === 'polling' ? (['polling'] as const) : values.transport === 'websocket' ? (['websocket'] as const) : undefined;
  const identity = (name: string): RegisterDeviceInput => ({
    name,
    osName: values['os-name'].slice(0, 128),
    osVersion: values['os-version'].slice(0, 64),
    osKind: values['os-kind'] === 'SERVER' ? 'SERVER' : 'WORKSTATION',
    ipAddress: firstIPv4(),
    clientVersion: '1.0.0',
  });
  const stateRoot = path.resolve(values.state ?? path.join('.sitebox-agent', values.name));

  if (values.simulate) {
    const count = Number(values.simulate);
    if (!Number.isInteger(count) || count < 1 || count > 19_000) throw new Error('--simulate takes a number of agents from 1 to 19000');
    const credentials = [];
    for (let i = 0; i < count; i++) {
      const name = `${values.name}-${String(i + 1).padStart(5, '0')}`.slice(0, 63);
      credentials.push((await loadOrRegisterCredential({ managementPointUrl: urls[0], stateDir: path.join(stateRoot, name), identity: identity(name) })).credential);
    }
    const simulator = new AgentSimulator({ managementPointUrls: urls, credentials, notificationPort, transports: transports ? [...transports] : undefined, connectSpreadMs: Math.min(30_000, count * 2) });
    await simulator.start();
    const timer = setInterval(() => log.info({ connected: simulator.connectedCount(), agents: count }, 'simulated agents'), 10_000);
    const stop = async () => (clearInterval(timer), await simulator.stop(), process.exit(0));
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    return;
  }

  await mkdir(stateRoot, { recursive: true });
  // A management point that is down at first start is waited for, as a service would.
  let registration: Awaited<ReturnType<typeof loadOrRegisterCredential>> | null = null;
  for (let attempt = 0; !registration; attempt++) {
    try {
      registration = await loadOrRegisterCredential({ managementPointUrl: urls[attempt % urls.length], stateDir: stateRoot, identity: identity(values.name) });
    } catch (error) {
      if (error instanceof Error && /refused \((400|409)\)|not a credential/.test(error.message)) throw error;
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
      log.warn({ err: error instanceof Error ? error.message : error, retryInMs: Math.round(delay) }, 'could not register with the management point');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  const { credential, registered, approval } = registration;
  if (registered) log.info({ deviceId: credential.deviceId, approval }, approval === 'PENDING' ? 'registered; waiting for an administrator to approve this device' : 'registered');
  const agent = new ClientAgent({
    managementPointUrls: urls,
    credential,
    siteCode: values.site,
    notificationPort,
    transports: transports ? [...transports] : undefined,
    // Remembers what ran across restarts, so a restarted agent neither re-runs nor re-reports.
    onPolicy: createDeploymentRunner({ stateFile: path.join(stateRoot, 'deployments.json') }),
    reporter: createStatusReporter({
      managementPointUrl: urls[0],
      spoolDir: path.join(stateRoot, 'spool'),
      device: credential.name,
      headers: () => ({ authorization: `Device ${credential.deviceId}.${credential.secret}` }),
      log,
    }),
    log,
  });
  agent.on('connected', (c) => log.info(c, 'client notification channel open'));
  agent.on('push', (p) => log.info({ operationId: p.operationId, action: p.action }, 'client operation received'));
  agent.on('result', (r) => log.info({ operationId: r.operationId, outcome: r.outcome }, 'result stored by the management point'));
  agent.on('refused', ({ reason }) => {
    if (reason === 'UNAUTHENTICATED') {
      log.error('the management point does not know this credential; remove the state folder to register again');
      process.exit(2);
    }
    // Waiting for approval, or revoked: an administrator may approve it; ask again in a minute.
    log.warn({ reason }, 'this device is not approved (pending or revoked); trying again in a minute');
    setTimeout(() => void agent.start(), 60_000);
  });
  await agent.start();
  const stop = async () => (await agent.stop(), process.exit(0));
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  log.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
