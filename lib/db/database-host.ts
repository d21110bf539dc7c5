import type { ChildProcess } from 'node:child_process';
import { exited, forkTs } from '../fork-ts';

/** Starts the embedded PostgreSQL in its own process and resolves once it accepts connections. */
export async function startDatabaseHost(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = forkTs('lib/db/embedded-host.ts', [], { SITEBOX_PROCESS: 'embedded-postgres' });
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: { type?: string; url?: string; message?: string }) => {
      if (message.type === 'ready' && message.url) resolve(message.url);
      if (message.type === 'failed') reject(new Error(`embedded PostgreSQL did not start: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with code ${code}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
