// The client as a client machine gets it: one built file, run from a folder outside the
// repository on this machine's Node, installed under a prefix, registering with a real
// management point, then uninstalled.
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as downloadRoute } from '@/app/api/agent/download/route';
import { pool } from '@/lib/db/pool';
import { freePort } from '@/lib/net/free-port';
import { createCertificateAuthority, certificateFingerprint, serverNames } from '@/lib/tls/site-certificates';
import { startTransportSecurity, type TransportSecurity } from '@/lib/tls/transport-security';
import { useTestDatabase } from '../../support/database';
import { eventually } from '../notification/fleet';
import { TestManagementPoint } from '../notification/management-point';
import { ensureSite, onlineDevice, repoRoot, startAgentProcess, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let secureMp: TestManagementPoint;
let security: TransportSecurity;
let dir = '';
let bundle = '';
let agent: AgentProcess | null = null;

const mode = async (file: string) => (await stat(file)).mode & 0o777;
const runBundle = (args: string[]) => spawnSync(process.execPath, [bundle, ...args], { cwd: dir, encoding: 'utf8' });
/** The same without blocking this process, for a command that talks to the management point served here. */
const runBundleAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-client-'));
  // A management point serving HTTPS with the site's own authority, as server.ts does by default.
  security = await startTransportSecurity({
    mode: 'auto',
    dir: path.join(dir, 'site-tls'),
    siteCode: 'S01',
    names: () => serverNames({ hosts: [], addresses: [] }),
    log: { info() {}, warn() {}, error() {} },
    checkEveryMs: 0,
  });
  secureMp = new TestManagementPoint({ connectionString: url, security });
  await secureMp.start();
  const built = spawnSync(process.execPath, ['scripts/build-agent.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run agent:build failed:\n${built.stdout}${built.stderr}`);
  bundle = path.join(dir, 'sitebox-agent.cjs');
  await copyFile(path.join(repoRoot, 'dist/sitebox-agent.cjs'), bundle);
});

afterAll(async () => {
  await agent?.stop();
  await mp?.stop();
  await secureMp?.stop();
  security?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the client bundle', () => {
  it('installs under a prefix, registers from outside the repository (past an unreachable management point), and uninstalls', async () => {
    const root = path.join(dir, 'root');
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const installed = runBundle(['install', '--mp', unreachable, '--mp', mp.url, '--prefix', root, '--no-start']);
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);

    const configFile = path.join(root, 'etc/sitebox-agent/config.json');
    const stateDir = path.join(root, 'var/lib/sitebox-agent');
    const program = path.join(root, 'usr/local/lib/sitebox-agent/sitebox-agent.cjs');
    const unitFile = path.join(root, 'etc/systemd/system/sitebox-agent.service');
    expect(await mode(configFile)).toBe(0o600);
    expect(await mode(stateDir)).toBe(0o700);
    expect(await mode(program)).toBe(0o755);
    expect(await mode(unitFile)).toBe(0o644);
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toMatchObject({ managementPoints: [unreachable, mp.url], stateDir });
    expect(await readFile(unitFile, 'utf8')).toContain(`ExecStart="${process.execPath}" "${program}" "run" "--config" "${configFile}"`);

    // What the unit runs, from the installed copy; the first management point never answers.
    agent = startAgentProcess([program, 'run', '--config', configFile, '--name', 'BUNDLE-01'], { cwd: dir });
    const device = await eventually(
      () => onlineDevice('BUNDLE-01'),
      (d) => d !== null,
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agent!.output()}`);
    });
    expect(await mode(path.join(stateDir, 'credential.json'))).toBe(0o600);
    // The bundle carries the inventory collectors too: its first full report reaches the site.
    await eventually(
      async () => (await pool().query(`SELECT kind::text FROM inventory_inbox WHERE device_id = $1`, [device!.id])).rows,
      (rows) => rows.some((r) => r.kind === 'FULL'),
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agent!.output()}`);
    });
    const shown = runBundle(['status', '--prefix', root]).stdout;
    expect(shown).toMatch(/^Registered: yes, as BUNDLE-01 \(device \d+\)$/m);
    expect(shown).toMatch(/^Status messages waiting to be sent: \d+$/m);
    expect(shown).toMatch(/^Software metering: \d+ runs? in progress, \d+ waiting to be uploaded$/m);
    // The site may have answered the report a moment before or after the agent wrote that down.
    expect(shown).toMatch(
      /^Inventory: [\d,]+ packages?( \((dpkg|rpm)\))?( and [\d,]+ snaps?)?; report 1(, which the site has| waiting to be sent \(the site has none\)); software inventoried \d{4}-\d\d-\d\d \d\d:\d\d UTC, /m,
    );
    await agent.stop();

    const removed = runBundle(['uninstall', '--prefix', root]);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toMatch(/^Removed the Sitebox client agent \(/);
    for (const gone of [configFile, path.dirname(configFile), stateDir, path.dirname(program), unitFile]) expect(existsSync(gone)).toBe(false);
    expect(runBundle(['status', '--prefix', root]).stdout).toMatch(/^Not installed/);
    // Again, with nothing left: it says so instead of claiming to have removed it.
    const again = runBundle(['uninstall', '--prefix', root]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Not installed \(nothing at .*\): nothing to remove\.$/m);
  });

  it('pins the site certificate authority given by its fingerprint, and registers over HTTPS trusting only it', async () => {
    const root = path.join(dir, 'tls-root');
    const configFile = path.join(root, 'etc/sitebox-agent/config.json');
    const other = certificateFingerprint((await createCertificateAuthority({ siteCode: 'S01', now: new Date() })).certPem);
    const refused = await runBundleAsync(['install', '--mp', secureMp.url, '--ca-fingerprint', other, '--prefix', root, '--no-start']);
    expect(refused.status).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`has SHA-256 ${security.caFingerprint()}, not the pinned ${other}: refusing it`);
    expect(existsSync(configFile)).toBe(false);

    const installed = await runBundleAsync([
      'install',
      '--mp',
      secureMp.url,
      '--ca-fingerprint',
      security.caFingerprint(),
      '--prefix',
      root,
      '--no-start',
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain(`trusts         only the site certificate authority ${security.caFingerprint()}`);
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toMatchObject({
      managementPoints: [secureMp.url],
      pinnedCa: { fingerprint: security.caFingerprint(), certificate: security.caPem() },
    });
    expect(await mode(configFile)).toBe(0o600);

    const program = path.join(root, 'usr/local/lib/sitebox-agent/sitebox-agent.cjs');
    agent = startAgentProcess([program, 'run', '--config', configFile, '--name', 'BUNDLE-TLS'], { cwd: dir });
    await eventually(
      () => onlineDevice('BUNDLE-TLS'),
      (d) => d !== null,
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agent!.output()}`);
    });
    expect(agent.output()).toContain('trusting only the pinned site certificate authority');
    expect(runBundle(['status', '--prefix', root]).stdout).toContain(`Pinned certificate authority: ${security.caFingerprint()}`);
    await agent.stop();
    agent = null;
  });

  it('prints its usage for --help, and with the reason for an option it does not take or a value it cannot use', () => {
    for (const args of [['--help'], ['run', '--help'], ['-h'], ['help']]) {
      const answer = runBundle(args);
      expect(answer.status, args.join(' ')).toBe(0);
      expect(answer.stdout).toMatch(/^usage: sitebox-agent run --mp/);
    }
    const unknown = runBundle(['run', '--mp', 'http://127.0.0.1:9', '--colour', 'blue']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'[\s\S]*usage: sitebox-agent run --mp/);
    for (const [option, value] of [
      ['--transport', 'carrier-pigeon'],
      ['--os-kind', 'TOASTER'],
    ]) {
      // Bounded: an agent that took the value would keep trying to register.
      const refused = spawnSync(process.execPath, [bundle, 'run', '--mp', 'http://127.0.0.1:9', option, value], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(refused.status, option).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^${option} must be`));
    }
  });

  it('stops for good (exit 2, which the service unit does not restart) on a configuration file it cannot use', async () => {
    const file = path.join(dir, 'broken-pin.json');
    await writeFile(
      file,
      JSON.stringify({
        managementPoints: ['http://127.0.0.1:9'],
        name: 'broken-pin',
        stateDir: path.join(dir, 'broken-pin'),
        pinnedCa: { fingerprint: 'AB', certificate: 'x' },
      }),
    );
    const answer = runBundle(['run', '--config', file]);
    expect(answer.status).toBe(2);
    expect(answer.stderr).toContain(`${file}: pinnedCa.fingerprint must be a SHA-256 fingerprint`);
    const missing = runBundle(['run', '--config', path.join(dir, 'no-such-config.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the configuration .*no-such-config\.json/);
    // A state folder that cannot be made: under /proc a recursive mkdir never returned.
    const state = spawnSync(process.execPath, [bundle, 'run', '--mp', 'http://127.0.0.1:9', '--state', '/proc/sitebox-agent-state'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(state.status).toBe(2);
    expect(state.stderr).toContain('cannot make the state folder /proc/sitebox-agent-state');
  });

  it('refuses an install naming no usable management point', () => {
    const answer = runBundle(['install', '--mp', 'ftp://mp01', '--prefix', path.join(dir, 'refused')]);
    expect(answer.status).toBe(2);
    expect(answer.stderr).toMatch(/^--mp must be an http:\/\/ or https:\/\/ URL/);
    expect(existsSync(path.join(dir, 'refused'))).toBe(false);
  });

  it('is served for download by the site, and answers 404 with how to build it where it is not built', async () => {
    const served = await downloadRoute(new NextRequest('http://127.0.0.1/api/agent/download'));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="sitebox-agent.cjs"');
    expect(Buffer.from(await served.arrayBuffer()).equals(await readFile(bundle))).toBe(true);

    const here = process.cwd();
    process.chdir(dir);
    try {
      const missing = await downloadRoute(new NextRequest('http://127.0.0.1/api/agent/download'));
      expect(missing.status).toBe(404);
      expect(JSON.stringify(await missing.json())).toContain('npm run agent:build');
    } finally {
      process.chdir(here);
    }
  });
});
