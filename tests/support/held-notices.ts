// Notices a process is about to send, held back: the process is killed before they go out.
import pg from 'pg';
import { pool } from '@/lib/db/pool';
import { until } from './worker-processes';

/** Sessions of their own on the database at `url()`, ended together by `endAll`. */
export function pgSessions(url: () => string) {
  const sessions: pg.Client[] = [];
  return {
    async connect() {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      sessions.push(client);
      return client;
    },
    endAll: () => Promise.all(sessions.splice(0).map((s) => s.end())),
  };
}

/**
 * Makes the NOTIFYs on `channel` of processes started on `heldUrl` wait on advisory lock `key`,
 * taken here: a pg_notify of schema public, found first on that URL's search_path, waits on it.
 * `telling` resolves with the backends waiting there; `drop` ends them, their notices unsent, as a
 * process killed then would have left them, and lets the others go.
 */
export async function holdNotices(options: { url: string; channel: string; key: number; session: pg.Client }) {
  await pool().query(
    `CREATE OR REPLACE FUNCTION public.pg_notify(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
     BEGIN
       IF channel = '${options.channel}' THEN PERFORM pg_catalog.pg_advisory_xact_lock(${options.key}); END IF;
       PERFORM pg_catalog.pg_notify(channel, payload);
     END $$`,
  );
  await options.session.query(`SELECT pg_advisory_lock($1)`, [options.key]);
  const own = (await options.session.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
  const held = new URL(options.url);
  held.searchParams.set('options', '-c search_path=public,pg_catalog');
  const waiting = async () =>
    (
      await pool().query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND pid <> $1`,
        [own],
      )
    ).rows.map((r) => r.pid);
  return {
    heldUrl: held.toString(),
    telling: () => until(`a notice on ${options.channel} held`, async () => (await waiting()).length > 0),
    async drop() {
      for (const pid of await waiting()) await pool().query(`SELECT pg_terminate_backend($1)`, [pid]);
      await options.session.query(`SELECT pg_advisory_unlock($1)`, [options.key]);
    },
  };
}
