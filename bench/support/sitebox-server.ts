// Starting and stopping a real Sitebox server (server.ts) for a benchmark, on a fresh database.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildServer } from '../../scripts/build-server.mjs';
import { startEmbeddedPostgres } from '../../lib/db/embedded';
import { freePort } from '../../lib/net/free-port';
import { isPostgres, processTree, readProcessTable } from './process-table';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident memory of a process in MB (Linux /proc), or 0 when unreadable. */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * A new database for one benchmark run: on DATABASE_URL's server when that is set, otherwise an
 * embedded PostgreSQL in a temporary folder (as on a fresh machine), removed by drop().
 */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'sitebox' });
    return {
      url: db.url,
      async drop() {
        await db.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Starts server.ts on a free port (or env.PORT) against `databaseUrl`; resolves once /api/health answers. */
export async function startSitebox(options: { databaseUrl: string; env?: Record<string, string> }) {
  // A fixed port (env.PORT) lets a restarted server be found where a child site expects it.
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SITEBOX_ADMIN_PASSWORD: 'bench-admin-password',
    NEXT_TELEMETRY_DISABLED: '1',
    ...options.env,
  };
  // BENCH_CPU_PROF_DIR: the server and its worker processes write V8 CPU profiles there when they stop (open them in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  // What `npm start` runs: the compiled server (compiled here from the current sources).
  await buildServer();
  const child = spawn(process.execPath, [...profile, 'dist/server/server.mjs'], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(40|50|60)/.test(line)) process.stderr.write(`[sitebox] ${line}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Sitebox exited with code ${child.exitCode} while starting`);
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      break;
    if (Date.now() > until) throw new Error('Sitebox did not become healthy within 3 minutes');
    await sleep(500);
  }
  return { child, url };
}

/**
 * Stops (SIGSTOP) a process and its descendants but the PostgreSQL ones — a Sitebox server and
 * the workers it supervises (each in a process group of its own) — so a reference measured
 * meanwhile has the machine to itself; call the returned function to let them continue (SIGCONT).
 */
export function pauseProcessTree(rootPid: number): () => void {
  const pids = processTree(readProcessTable(), rootPid, isPostgres).map((e) => e.pid);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone meanwhile: nothing to continue.
      }
    }
  };
}

export async function stopSitebox(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timeout = sleep(30_000).then(() => 'timeout');
  if ((await Promise.race([exited, timeout])) === 'timeout' && child.pid) process.kill(-child.pid, 'SIGKILL');
}

/** A console user of `role` and a session for it, made directly in the database. */
export async function consoleSession(db: pg.Client, role: 'FULL_ADMINISTRATOR' | 'OPERATIONS_ADMINISTRATOR' | 'READ_ONLY_ANALYST', userName: string) {
  const { hashPassword } = await import('../../lib/auth/password');
  const { hashToken, newToken } = await import('../../lib/auth/tokens');
  const { rows } = await db.query(
    `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
     VALUES ($1, $1, $2, $3, false, now()) RETURNING id`,
    [userName, role, await hashPassword(newToken())],
  );
  const token = newToken();
  const csrf = newToken();
  await db.query(`INSERT INTO console_session (id, user_id, expires_at, csrf_token) VALUES ($1, $2, now() + interval '1 day', $3)`, [
    hashToken(token),
    rows[0].id,
    csrf,
  ]);
  return { cookie: `sitebox_session=${token}`, csrf };
}
