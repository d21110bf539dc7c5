// The real Sitebox server for browser tests: built once, started per test file on a free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

let built = false;

/** Runs `next build` when the sources changed since the last build (what `npm start` does). */
export function ensureBuilt(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
  built = true;
}

export interface AppServer {
  url: string;
  pid: number;
  /** Everything the server printed, for assertions and for debugging a failure. */
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts server.ts against `databaseUrl` — the TypeScript source through tsx, or with `compiled`
 * the build `npm start` runs (dist/server/server.mjs); resolves once it prints its URL.
 */
export async function startAppServer(options: { databaseUrl: string; env?: Record<string, string>; compiled?: boolean }): Promise<AppServer> {
  ensureBuilt();
  const entry = options.compiled ? ['dist/server/server.mjs'] : ['--import', 'tsx', 'server.ts'];
  const child: ChildProcess = spawn(process.execPath, entry, {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      SITEBOX_WORKERS: '',
      // Any free port: a Sitebox already running on this machine holds the site's 10123.
      SITEBOX_NOTIFICATION_PORT: '0',
      LOG_LEVEL: 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Sitebox console: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
