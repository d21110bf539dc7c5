// The Sitebox client agent (also built into one file, dist/sitebox-agent.cjs: npm run agent:build):
//   sitebox-agent run --mp http://mp01:3000 [--mp http://mp02:3000] [--name NYC-WS-0042]
//                     [--state ./agent-state] [--notification-port 10123] [--transport websocket|polling]
//                     [--ca-fingerprint AB:CD:…]      (https: trust only the site CA with this SHA-256)
//   sitebox-agent run --config /etc/sitebox-agent/config.json      (what the systemd unit runs)
//   sitebox-agent run --mp http://mp01:3000 --simulate 1000 [--name SIM]   (a simulated fleet)
//   sitebox-agent install --mp <url> [--mp <url>…] [--ca-fingerprint AB:CD:…] [--no-start]
//                         [--prefix DIR | --config-dir DIR --state-dir DIR --unit-dir DIR --lib-dir DIR]
//   sitebox-agent uninstall [same folder options]      sitebox-agent status [same folder options]
// `npm run agent -- --mp …` is `run`. The agent registers on first start (the credential is kept
// in its state folder), then stays connected to the management point's notification server,
// polls policy, reports status, sends hardware/software inventory and heartbeat discovery, and
// performs pushed actions. --dpkg-status/--dpkg-info point the software inventory at another
// package database, --snap-dir at another folder of snaps; --no-inventory turns inventory and
// discovery off.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ClientAgent } from '../lib/agent/agent';
import { createAgentLogger } from '../lib/agent/agent-logger';
import { AGENT_VERSION } from '../lib/agent/agent-version';
import { AgentConfigError, agentConfigSchema, installedPaths, readAgentConfig, type AgentConfig } from '../lib/agent/agent-config';
import { makeFolder } from '../lib/make-folder';
import { createDeploymentRunner } from '../lib/agent/deployment-runner';
import { keepCredential } from '../lib/agent/keep-credential';
import { lockStateFolder, StateFolderInUse } from '../lib/agent/lock-state-folder';
import { installAgent } from '../lib/agent/install/install-agent';
import { BUNDLE_NAME, UNIT_NAME, installLayout, type InstallLayout } from '../lib/agent/install/install-layout';
import { systemctl, systemdRuns } from '../lib/agent/install/systemd';
import { uninstallAgent } from '../lib/agent/install/uninstall-agent';
import { describeInventoryState, readInventoryState } from '../lib/agent/inventory/inventory-state';
import { meteringBacklog } from '../lib/agent/metering/metering-agent';
import { loadOrRegisterCredential } from '../lib/agent/register-agent';
import { clamavScanner } from '../lib/agent/scan/clamav-scanner';
import { scanSettingsWithPolicy } from '../lib/agent/scan/scan-settings';
import { plural } from '../lib/plural';
import type { AgentPolicy } from '../lib/protocol/policy.schema';
import { AgentSimulator } from '../lib/agent/simulator';
import type { RegisterDeviceInput } from '../lib/protocol/registration.schema';
import { createStatusReporter, spooledStatusMessages } from '../lib/agent/status-reporter';
import {
  certificateProblem,
  fetchPinnedCa,
  fetchWithTrust,
  normalizeFingerprint,
  plainHttpProblem,
  trustOf,
  type PinnedCa,
} from '../lib/agent/tls-pin';

const { log, forComponent } = createAgentLogger({ level: process.env.LOG_LEVEL ?? 'info' });

const usage = `usage: sitebox-agent run --mp <management point URL> [--mp <another>] [--name NAME] [--state DIR] [--ca-fingerprint SHA256]
       sitebox-agent run --config FILE
       sitebox-agent install --mp <URL> [--mp <URL>…] [--ca-fingerprint SHA256] [--no-start] [--prefix DIR]
       sitebox-agent uninstall [--prefix DIR]
       sitebox-agent status [--prefix DIR]`;

class UsageError extends Error {}
/** A command that could not do its work (exit 1), said on stderr whatever the log level. */
class CommandFailed extends Error {}
/**
 * A start that starting again cannot get past until someone acts (a credential file it did not
 * write, a registration the site refused): exit 2, which the service unit does not restart on.
 */
class StartRefused extends Error {}

/** The --ca-fingerprint given, normalized (AB:CD:…), or undefined; a malformed one is a usage error. */
function fingerprintOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const fingerprint = normalizeFingerprint(value);
  if (!fingerprint)
    throw new UsageError(`--ca-fingerprint must be the site CA's SHA-256 fingerprint (64 hex digits, as the console shows it)\n${usage}`);
  return fingerprint;
}

/** Why a connection failed, with the certificate problem, or plain HTTP answering https://, spelled out. */
const why = (error: unknown, pinned = false) =>
  certificateProblem(error, pinned) ?? plainHttpProblem(error) ?? (error instanceof Error ? error.message : String(error));

function firstIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

const hostName = () =>
  os
    .hostname()
    .split('.')[0]
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 63);

const layoutOptions = {
  prefix: { type: 'string' },
  'config-dir': { type: 'string' },
  'state-dir': { type: 'string' },
  'unit-dir': { type: 'string' },
  'lib-dir': { type: 'string' },
} as const;

function layoutFrom(values: { prefix?: string; 'config-dir'?: string; 'state-dir'?: string; 'unit-dir'?: string; 'lib-dir'?: string }) {
  return installLayout({
    prefix: values.prefix,
    configDir: values['config-dir'],
    stateDir: values['state-dir'],
    unitDir: values['unit-dir'],
    libDir: values['lib-dir'],
  });
}

/** The configuration a run uses: --config, else --mp and the other flags, else the installed file. */
async function runConfig(values: {
  config?: string;
  mp?: string[];
  name?: string;
  state?: string;
  site?: string;
  'notification-port'?: string;
  'dpkg-status'?: string;
  'dpkg-info'?: string;
  'snap-dir'?: string;
  'no-inventory'?: boolean;
}): Promise<AgentConfig> {
  const file = values.config ?? (values.mp?.length ? undefined : existsSync(installedPaths.configFile) ? installedPaths.configFile : undefined);
  const base = file ? await readAgentConfig(file) : null;
  const name = values.name ?? base?.name ?? hostName();
  const parsed = agentConfigSchema.safeParse({
    ...base,
    managementPoints: values.mp?.length ? values.mp : (base?.managementPoints ?? []),
    name,
    stateDir: path.resolve(values.state ?? base?.stateDir ?? path.join('.sitebox-agent', name)),
    siteCode: values.site ?? base?.siteCode,
    notificationPort: values['notification-port'] ? Number(values['notification-port']) : base?.notificationPort,
    inventory: {
      ...base?.inventory,
      ...(values['no-inventory'] ? { enabled: false } : {}),
      ...(values['dpkg-status'] ? { dpkgStatusFile: path.resolve(values['dpkg-status']) } : {}),
      ...(values['dpkg-info'] ? { dpkgInfoDir: path.resolve(values['dpkg-info']) } : {}),
      ...(values['snap-dir'] ? { snapDir: path.resolve(values['snap-dir']) } : {}),
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${issue.path.join('.')} ${issue.message}\n${usage}`);
  }
  return parsed.data;
}

async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      mp: { type: 'string', multiple: true },
      name: { type: 'string' },
      state: { type: 'string' },
      site: { type: 'string' },
      'notification-port': { type: 'string' },
      'dpkg-status': { type: 'string' },
      'dpkg-info': { type: 'string' },
      'snap-dir': { type: 'string' },
      'no-inventory': { type: 'boolean', default: false },
      'ca-fingerprint': { type: 'string' },
      transport: { type: 'string' },
      'os-name': { type: 'string', default: `${os.type()} ${os.release()}` },
      'os-version': { type: 'string', default: os.release() },
      'os-kind': { type: 'string', default: 'WORKSTATION' },
      simulate: { type: 'string' },
    },
  });
  // A value the agent would otherwise take for its default without a word.
  if (values.transport !== undefined && values.transport !== 'websocket' && values.transport !== 'polling')
    throw new UsageError(`--transport must be websocket or polling\n${usage}`);
  if (values['os-kind'] !== 'WORKSTATION' && values['os-kind'] !== 'SERVER')
    throw new UsageError(`--os-kind must be WORKSTATION or SERVER\n${usage}`);
  const config = await runConfig(values);
  const urls = config.managementPoints;
  const wantedFingerprint = fingerprintOption(values['ca-fingerprint']);
  // The pinned authority of the configuration, unless another fingerprint is asked for (fetched below).
  let pin: PinnedCa | undefined = wantedFingerprint && wantedFingerprint !== config.pinnedCa?.fingerprint ? undefined : config.pinnedCa;
  const pinFor = async (url: string) =>
    (pin ??= wantedFingerprint ? await fetchPinnedCa({ managementPointUrl: url, fingerprint: wantedFingerprint }) : undefined);
  const transports =
    values.transport === 'polling' ? (['polling'] as const) : values.transport === 'websocket' ? (['websocket'] as const) : undefined;
  const identity = (name: string): RegisterDeviceInput => ({
    name,
    osName: values['os-name'].slice(0, 128),
    osVersion: values['os-version'].slice(0, 64),
    osKind: values['os-kind'] === 'SERVER' ? 'SERVER' : 'WORKSTATION',
    ipAddress: firstIPv4(),
    clientVersion: AGENT_VERSION,
  });
  const name = config.name ?? hostName();
  const stateRoot = config.stateDir;

  if (values.simulate) {
    const count = Number(values.simulate);
    if (!Number.isInteger(count) || count < 1 || count > 19_000) throw new UsageError('--simulate takes a number of agents from 1 to 19000');
    const credentials = [];
    const tls = trustOf(await pinFor(urls[0]));
    for (let i = 0; i < count; i++) {
      const simulated = `${name}-${String(i + 1).padStart(5, '0')}`.slice(0, 63);
      credentials.push(
        (
          await loadOrRegisterCredential({
            managementPointUrl: urls[0],
            stateDir: path.join(stateRoot, simulated),
            identity: identity(simulated),
            tls,
          })
        ).credential,
      );
    }
    const simulator = new AgentSimulator({
      managementPointUrls: urls,
      credentials,
      notificationPort: config.notificationPort,
      transports: transports ? [...transports] : undefined,
      connectSpreadMs: Math.min(30_000, count * 2),
      tls,
    });
    await simulator.start();
    const timer = setInterval(() => log.info({ connected: simulator.connectedCount(), agents: count }, 'simulated agents'), 10_000);
    const stop = async () => (clearInterval(timer), await simulator.stop(), process.exit(0));
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    return;
  }

  await makeFolder(stateRoot, 0o700).catch((error: NodeJS.ErrnoException) => {
    throw new AgentConfigError(`cannot make the state folder ${stateRoot}: ${error.code ?? error.message}`);
  });
  // One agent per state folder, taken before registering: a second would act on every push again.
  const stateLock = await lockStateFolder(stateRoot).catch((error: unknown) => {
    throw error instanceof StateFolderInUse ? new CommandFailed(error.message) : error;
  });
  // A management point that is down at first start is waited for, as a service would.
  let registration: Awaited<ReturnType<typeof loadOrRegisterCredential>> | null = null;
  for (let attempt = 0; !registration; attempt++) {
    const url = urls[attempt % urls.length];
    try {
      registration = await loadOrRegisterCredential({
        managementPointUrl: url,
        stateDir: stateRoot,
        identity: identity(name),
        tls: trustOf(await pinFor(url)),
      });
    } catch (error) {
      if (error instanceof Error && /refused \((400|409)\)|not a credential/.test(error.message)) throw new StartRefused(error.message);
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
      log.warn({ url, err: why(error, pin !== undefined), retryInMs: Math.round(delay) }, 'could not register with the management point');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  const { credential, registered, approval } = registration;
  const tls = trustOf(pin);
  if (pin) log.info({ fingerprint: pin.fingerprint }, 'trusting only the pinned site certificate authority');
  if (registered)
    log.info(
      { deviceId: credential.deviceId, approval },
      approval === 'PENDING' ? 'registered; waiting for an administrator to approve this device' : 'registered',
    );
  // Scan paths set in the site's settings (policy) take the place of the configuration file's.
  let policy: AgentPolicy | null = null;
  const agent = new ClientAgent({
    managementPointUrls: urls,
    credential,
    siteCode: config.siteCode,
    notificationPort: config.notificationPort,
    transports: transports ? [...transports] : undefined,
    scanner: clamavScanner(() => scanSettingsWithPolicy(config.scan, policy?.clientAgent.scan)),
    inventory: config.inventory.enabled
      ? {
          stateDir: path.join(stateRoot, 'inventory'),
          agentVersion: AGENT_VERSION,
          osKind: values['os-kind'] === 'SERVER' ? 'SERVER' : 'WORKSTATION',
          software: { dpkgStatusFile: config.inventory.dpkgStatusFile, dpkgInfoDir: config.inventory.dpkgInfoDir, snapDir: config.inventory.snapDir },
        }
      : undefined,
    metering: config.metering.enabled
      ? {
          stateDir: path.join(stateRoot, 'metering'),
          dpkgStatusFile: config.inventory.dpkgStatusFile,
          dpkgInfoDir: config.inventory.dpkgInfoDir,
          snapDir: config.inventory.snapDir,
        }
      : undefined,
    tls,
    resultsDir: path.join(stateRoot, 'operation-results'),
    // Remembers what ran across restarts, so a restarted agent neither re-runs nor re-reports.
    onPolicy: createDeploymentRunner({ stateFile: path.join(stateRoot, 'deployments.json'), log: forComponent('Software Distribution') }),
    reporter: createStatusReporter({
      // Batches go to the first management point and fail over to the next when it stops taking them.
      managementPointUrls: urls,
      spoolDir: path.join(stateRoot, 'spool'),
      device: credential.name,
      headers: () => ({ authorization: `Device ${credential.deviceId}.${credential.secret}` }),
      fetch: tls ? fetchWithTrust(tls) : undefined,
      log,
    }),
    log,
  });
  agent.on('policy', (p) => (policy = p));
  agent.on('connected', (c) => log.info(c, 'client notification channel open'));
  agent.on('push', (p) => log.info({ operationId: p.operationId, action: p.action }, 'client operation received'));
  agent.on('result', (r) => log.info({ operationId: r.operationId, outcome: r.outcome }, 'result stored by the management point'));
  agent.on('refused', ({ reason }) => {
    if (reason === 'UNAUTHENTICATED') {
      // Named in full: the state folder is the administrator's to find (/var/lib/sitebox-agent once installed).
      log.error(
        `the management point does not know this credential (its device was deleted?); remove ${path.join(stateRoot, 'credential.json')} to register again`,
      );
      process.exit(2);
    }
    // Waiting for approval, or revoked: an administrator may approve it; ask again in a minute.
    log.warn({ reason }, 'this device is not approved (pending or revoked); trying again in a minute');
    setTimeout(() => void agent.start(), 60_000);
  });
  await agent.start();
  // The state folder may be deleted under the running agent: the credential goes back at once it
  // is missed (within a minute, and at stop), so the next start need not register again.
  const keep = () =>
    keepCredential(stateRoot, credential).then(
      (rewritten) => rewritten && log.warn({ stateDir: stateRoot }, 'the credential had gone from the state folder; written again'),
      (error: unknown) => log.warn({ stateDir: stateRoot, err: why(error) }, 'could not write the credential back to the state folder'),
    );
  const keeper = setInterval(() => void keep(), 60_000);
  keeper.unref();
  const stop = async () => (clearInterval(keeper), await agent.stop(), await keep(), await stateLock.release(), process.exit(0));
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function install(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      mp: { type: 'string', multiple: true },
      'ca-fingerprint': { type: 'string' },
      'no-start': { type: 'boolean', default: false },
      ...layoutOptions,
    },
  });
  const bundlePath = process.argv[1] ? path.resolve(process.argv[1]) : '';
  if (!bundlePath.endsWith('.cjs'))
    throw new UsageError(`install copies the built agent: run it from ${BUNDLE_NAME} (npm run agent:build makes dist/${BUNDLE_NAME})`);
  const parsed = agentConfigSchema.shape.managementPoints.safeParse(values.mp ?? []);
  if (!parsed.success) throw new UsageError(`--mp ${parsed.error.issues[0].message}\n${usage}`);
  const fingerprint = fingerprintOption(values['ca-fingerprint']);
  // The authority is fetched from the first management point that gives one with this fingerprint.
  let pinnedCa: PinnedCa | undefined;
  const failures: string[] = [];
  for (const url of fingerprint ? parsed.data : []) {
    try {
      pinnedCa = await fetchPinnedCa({ managementPointUrl: url, fingerprint: fingerprint!, timeoutMs: 15_000 });
      break;
    } catch (error) {
      failures.push(`  ${url}: ${why(error)}`);
    }
  }
  if (fingerprint && !pinnedCa)
    throw new CommandFailed(`no management point gave the site certificate authority ${fingerprint}; nothing installed:\n${failures.join('\n')}`);
  const layout = layoutFrom(values);
  const { config, started } = await installAgent({
    layout,
    managementPoints: parsed.data,
    pinnedCa,
    bundlePath,
    nodePath: process.execPath,
    start: !values['no-start'],
  });
  console.log(`Installed the Sitebox client agent:
  configuration  ${layout.configFile}
  state folder   ${layout.stateDir}
  program        ${path.join(layout.libDir, BUNDLE_NAME)} (on ${process.execPath})
  service unit   ${layout.unitFile}
  trusts         ${config.pinnedCa ? `only the site certificate authority ${config.pinnedCa.fingerprint}` : "the system's certificate authorities (no --ca-fingerprint)"}
${started ? `Started ${UNIT_NAME}; follow it with: journalctl -u ${UNIT_NAME} -f` : values['no-start'] ? 'Not started (--no-start).' : `${notAService(layout)}: start the agent with ${process.execPath} ${path.join(layout.libDir, BUNDLE_NAME)} run --config ${layout.configFile}`}`);
}

/** Why an installed tree is no systemd service here: none runs, or its unit lies where systemd does not look (under --prefix). */
function notAService(layout: InstallLayout) {
  return systemdRuns() ? `systemd does not load units from ${path.dirname(layout.unitFile)}` : 'systemd is not running here';
}

async function uninstall(args: string[]) {
  const { values } = parseArgs({ args, options: { 'no-stop': { type: 'boolean', default: false }, ...layoutOptions } });
  const layout = layoutFrom(values);
  const removed = await uninstallAgent({ layout, stop: !values['no-stop'] });
  if (removed.length) console.log(`Removed the Sitebox client agent (${removed.join(', ')}).`);
  else console.log(`Not installed (nothing at ${layout.unitFile}, ${layout.libDir}, ${layout.configFile}, ${layout.stateDir}): nothing to remove.`);
}

async function status(args: string[]) {
  const { values } = parseArgs({ args, options: layoutOptions });
  const layout = layoutFrom(values);
  if (!existsSync(layout.configFile)) {
    console.log(`Not installed (no ${layout.configFile}).`);
    process.exitCode = 3;
    return;
  }
  const config = await readAgentConfig(layout.configFile);
  const credential = await readFile(path.join(config.stateDir, 'credential.json'), 'utf8').then(
    (text) => JSON.parse(text) as { deviceId: number; name: string },
    () => null,
  );
  const messages = await spooledStatusMessages(path.join(config.stateDir, 'spool'));
  const metering = await meteringBacklog(path.join(config.stateDir, 'metering'));
  const inventory = describeInventoryState(await readInventoryState(path.join(config.stateDir, 'inventory', 'inventory-state.json')));
  console.log(`Management points: ${config.managementPoints.join(', ')}
Pinned certificate authority: ${config.pinnedCa?.fingerprint ?? "none (the system's authorities)"}
Registered: ${credential ? `yes, as ${credential.name} (device ${credential.deviceId})` : 'not yet'}
Service: ${layout.unitLoadedBySystemd && systemdRuns() ? systemctl('is-active', UNIT_NAME) : notAService(layout)}
Status messages waiting to be sent: ${messages}
Software metering: ${plural(metering.inProgress, 'run')} in progress, ${metering.waiting} waiting to be uploaded
Inventory: ${inventory}`);
}

const commands: Record<string, (args: string[]) => Promise<void>> = { run, install, uninstall, status };

async function main() {
  const [first, ...rest] = process.argv.slice(2);
  if (first === 'help' || process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage);
    return;
  }
  // Without a command (the options straight away), the agent runs.
  const command = first === undefined || first.startsWith('-') ? 'run' : first;
  const args = command === first ? rest : process.argv.slice(2);
  const handler = commands[command];
  if (!handler) throw new UsageError(`unknown command ${command}\n${usage}`);
  await handler(args);
}

main().catch((error) => {
  // A usage or configuration error, or a start refused, is final (exit 2): the service unit does not restart the agent into it again.
  if (error instanceof UsageError || error instanceof AgentConfigError || error instanceof StartRefused) {
    console.error(error.message);
    process.exit(2);
  }
  // An option the command does not take, or one without its value: what was wrong, then how to call it.
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (error instanceof CommandFailed) {
    console.error(error.message);
    process.exit(1);
  }
  log.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
