// A real agent process (scripts/agent.ts, or the built bundle) for agent tests, with its output kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pool } from '@/lib/db/pool';

const repoRoot = path.resolve(__dirname, '../../..');

export interface AgentProcess {
  output: () => string;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (no shutdown work at all) and waits for it to go. */
  kill(): Promise<void>;
}

/** Starts `command` (node arguments) with its own output captured; stop() ends this child only. */
export function startAgentProcess(args: string[], options: { cwd?: string } = {}): AgentProcess {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return { output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** The real agent from the repository's sources, as `npm run agent` runs it. */
export const agentFromSources = (args: string[]) => startAgentProcess(['--import', 'tsx', path.join(repoRoot, 'scripts/agent.ts'), ...args]);

/** The device a name registered as, once it is online. */
export async function onlineDevice(name: string): Promise<{ id: number; online: boolean } | null> {
  const { rows } = await pool().query<{ id: number; online: boolean }>(`SELECT id, online FROM device WHERE name = $1`, [name]);
  return rows[0]?.online ? rows[0] : null;
}

export { repoRoot };

/** The site the management point serves (SITEBOX_SITE_CODE, S01), as registration needs it. */
export async function ensureSite(code = 'S01'): Promise<void> {
  await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ($1::text, $1::text, now()) ON CONFLICT (code) DO NOTHING`, [code]);
}

/**
 * Writes a config for agent `name` in `dir` (with `extra` settings), starts the agent from the
 * sources, keeps it in `agents` for stopping, and waits until its device is online.
 */
export async function startConfiguredAgent(options: {
  dir: string;
  managementPointUrl: string;
  name: string;
  extra?: Record<string, unknown>;
  agents: AgentProcess[];
}): Promise<{ agent: AgentProcess; deviceId: number }> {
  const { dir, name } = options;
  const config = path.join(dir, `${name}.json`);
  await writeFile(
    config,
    JSON.stringify({ managementPoints: [options.managementPointUrl], name, stateDir: path.join(dir, 'state', name), ...options.extra }),
    { mode: 0o600 },
  );
  const agent = agentFromSources(['run', '--config', config]);
  options.agents.push(agent);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const device = await onlineDevice(name);
    if (device) return { agent, deviceId: device.id };
    if (Date.now() > deadline) throw new Error(`agent ${name} did not come online\nagent output:\n${agent.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
