import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SystemUser } from './postgres-system-user';

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);
// The start is recognised by PostgreSQL's own line, so its messages must be in English.
const env = () => ({ ...process.env, LC_MESSAGES: 'C' });

export interface StopOptions {
  /** End only once every client has disconnected (at most `timeoutMs`, then end their sessions). */
  waitForClients?: boolean;
  timeoutMs?: number;
}

interface ClusterOptions {
  /** A PostgreSQL build: bin/, lib/, share/. */
  postgresDir: string;
  dataDir: string;
  /** Set when running as root: PostgreSQL runs as this user. */
  runAs?: SystemUser;
  onLine: (line: string) => void;
}

/** Creates a cluster in `dataDir` (initdb) with one password-protected superuser. */
export async function initialiseCluster(options: ClusterOptions & { user: string; password: string }): Promise<void> {
  const passwordFile = path.join(os.tmpdir(), `sitebox-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (options.runAs) await chown(passwordFile, options.runAs.uid, options.runAs.gid);
    const initdb = spawn(
      path.join(options.postgresDir, 'bin', exe('initdb')),
      [`--pgdata=${options.dataDir}`, '--auth=scram-sha-256', `--username=${options.user}`, `--pwfile=${passwordFile}`, '--lc-messages=C'],
      { ...options.runAs, env: env() },
    );
    forwardLines(initdb, options.onLine);
    const code = await new Promise<number | null>((resolve, reject) => {
      initdb.once('error', reject);
      initdb.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb exited with code ${code}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Runs the server on `dataDir`; resolves once it accepts connections, with a way to stop it. */
export async function startServer(options: ClusterOptions & { flags: string[] }): Promise<{ stop(options?: StopOptions): Promise<void> }> {
  const server = spawn(path.join(options.postgresDir, 'bin', exe('postgres')), ['-D', options.dataDir, ...options.flags], {
    ...options.runAs,
    env: env(),
  });
  const exited = new Promise<void>((resolve) => server.once('close', () => resolve()));
  // A Node process that exits without stopping it must not leave PostgreSQL behind.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  void exited.then(() => process.off('exit', stopOnExit));
  await new Promise<void>((resolve, reject) => {
    forwardLines(server, (line) => {
      options.onLine(line);
      if (line.includes('database system is ready to accept connections')) resolve();
    });
    server.once('error', reject);
    void exited.then(() => reject(new Error(`postgres exited with code ${server.exitCode}`)));
  });
  const running = () => server.exitCode === null && server.signalCode === null;
  return {
    async stop(stopOptions = {}) {
      if (running() && stopOptions.waitForClients) {
        // Smart shutdown: no new sessions, and the server ends once the last client has left.
        server.kill('SIGTERM');
        const timer = setTimeout(() => running() && server.kill('SIGINT'), stopOptions.timeoutMs ?? 30_000);
        await exited;
        clearTimeout(timer);
      }
      // Fast shutdown: open sessions are ended.
      if (running()) server.kill('SIGINT');
      await exited;
    },
  };
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    stream?.on('end', () => rest && onLine(rest));
  }
}
