import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { pool } from '@/lib/db/pool';

/** Polls `probe` every 20 ms until it answers something truthy, which it returns. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Worker processes as `npm run worker` starts them (workers/run.ts, several names in one
 * process), on the database at `url()`: `start` resolves once they beat, `kill` SIGKILLs one (no
 * shutdown work at all) and waits for it to go, `killAll` ends those still running.
 */
export function workerProcesses(url: () => string) {
  const children = new Set<ChildProcess>();
  const kill = async (child: ChildProcess) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    async start(names: string) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', names], {
        env: { ...process.env, DATABASE_URL: url(), LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'warn', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      await until(`${names} running`, async () => {
        const { rows } = await pool().query(`SELECT 1 FROM worker_heartbeat WHERE name = ANY($1::text[]) AND pid = $2`, [
          names.split(','),
          child.pid,
        ]);
        return rows.length > 0;
      });
      return child;
    },
    kill,
    killAll: () => Promise.all([...children].map(kill)),
  };
}

/**
 * Holds `table` (ACCESS EXCLUSIVE) on a session of its own, so that a worker's next pass that
 * touches it waits there, mid-transaction: `waiting` resolves once a statement naming it waits for
 * the lock, `release` lets it go. The caller has seen a pass commit first (LOCK waits for one in flight).
 */
export async function holdTable(url: string, table: string) {
  const session = new pg.Client({ connectionString: url });
  await session.connect();
  await session.query(`BEGIN`);
  await session.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  return {
    waiting: () =>
      until(`a statement on ${table} waiting for its lock`, async () => {
        const { rows } = await pool().query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
          [`%${table}%`],
        );
        return rows.length > 0;
      }),
    release: async () => {
      if (released) return;
      released = true;
      await session.query(`ROLLBACK`).catch(() => undefined);
      await session.end();
    },
  };
}
