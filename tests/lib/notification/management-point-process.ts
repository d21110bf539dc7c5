// A management point process as `npm run mp` runs it, for tests of several on one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { pool } from '@/lib/db/pool';
import { eventually } from './fleet';

export interface ManagementPointProcess {
  child: ChildProcess;
  url: string;
  instanceId: string;
}

/**
 * A management point as `npm run mp` runs it: the compiled mp.ts (build it first), a process of
 * its own with its client endpoints on a free port and its notification server (heartbeat every second).
 */
export async function startManagementPoint(databaseUrl: string): Promise<ManagementPointProcess> {
  const child = spawn(process.execPath, ['dist/server/mp.mjs'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      SITEBOX_NOTIFICATION_PORT: '0',
      SITEBOX_NOTIFICATION_HEARTBEAT_SECONDS: '1',
      SITEBOX_WORKER_HEARTBEAT_SECONDS: '1',
      SITEBOX_TLS: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Sitebox management point: (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`management point exited (${code}): ${out}`)));
  });
  // Its notification server's instance, as it registered itself.
  const instanceId = await eventually(
    async () => (await pool().query<{ id: string }>(`SELECT instance_id AS id FROM notification_server WHERE pid = $1`, [child.pid])).rows[0]?.id,
    (id) => Boolean(id),
  );
  return { child, url, instanceId: instanceId! };
}
