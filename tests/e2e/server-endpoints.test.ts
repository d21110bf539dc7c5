import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server';
import { useTestDatabase } from '../support/database';

// The real server over HTTP, no browser, as `npm start` runs it (compiled to dist/server): its static
// files, and /api/metrics and /api/health with two real workers supervised beside it in one process,
// reporting through their heartbeats.
describe('server endpoints', () => {
  let server: AppServer;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    server = await startAppServer({
      databaseUrl: url,
      compiled: true,
      env: { SITEBOX_WORKERS: 'collection-evaluator,client-status-summarizer', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' },
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers robots.txt keeping every page out of search engines, without a session', async () => {
    const response = await fetch(`${server.url}/robots.txt`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  it('serves the icon to a signed-out visitor and names it in the sign-in page', async () => {
    const icon = await fetch(`${server.url}/icon.svg`, { redirect: 'manual' });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    const page = await (await fetch(`${server.url}/sign-in`)).text();
    expect(page).toMatch(/<link rel="icon" href="\/icon.svg" type="image\/svg\+xml"/);
  });

  it('answers /favicon.ico, which browsers ask for where a response names no icon, with the same icon', async () => {
    const icon = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(await icon.text()).toBe(await (await fetch(`${server.url}/icon.svg`)).text());
  });

  it('answers a path that is not valid percent-encoding with 400 naming it, as a management point does', async () => {
    for (const path of ['/api/mp/scripts/%E0%A4%A', '/api/collections/%ZZ', '/devices/%E0%A4%A']) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'BAD_REQUEST', fields: [{ path: 'path', message: 'is not valid percent-encoding' }] },
      });
    }
    // An escape that decodes still reaches its route.
    expect((await fetch(`${server.url}/api/mp/scripts/%61`)).status).toBe(401);
  });

  it('serves an absolute-form request line by its path, and answers one naming no path with 400', async () => {
    const get = (target: string) =>
      new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
        const { port } = new URL(server.url);
        const req = request({ host: '127.0.0.1', port, path: target }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
        });
        req.on('error', reject);
        req.end();
      });
    // As a client talking through a proxy sends it: was a 308 to the same URL, for ever.
    expect(await get(`${server.url}/robots.txt`)).toMatchObject({ status: 200, location: undefined, body: expect.stringContaining('Disallow: /') });
    expect((await get('http://sitebox.example/api/mp/scripts/%E0%A4%A')).status).toBe(400);
    for (const target of ['*', 'http://[::1', 'http://x:99999/']) {
      const answer = await get(target);
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body), target).toMatchObject({ error: { code: 'BAD_REQUEST', fields: [{ path: 'url' }] } });
    }
  });

  it("serves this process's metrics and the collection evaluator's own, labelled with the worker", async () => {
    const scrape = async () => {
      const response = await fetch(`${server.url}/api/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    // The worker writes its registry with each heartbeat; its first pass shows within a few beats.
    let body = '';
    await expect
      .poll(async () => (body = await scrape()), { timeout: 60_000, interval: 500 })
      .toMatch(/^sitebox_collection_evaluator_runs_total\{outcome="evaluated",worker="collection-evaluator",host="[^"]+"\} [1-9]/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total\{worker="collection-evaluator",host="[^"]+"\} \d/m);
    expect(body).toMatch(/^sitebox_status_inbox_messages \d+$/m);
  });

  it('runs compiled JavaScript, and both workers in one process that beats for each of them', async () => {
    const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(commandLine(server.pid)).toEqual([process.execPath, 'dist/server/server.mjs']);
    type Health = {
      status: string;
      supervised: { name: string; pid: number; state: string }[];
      workers: { name: string; pid: number; alive: boolean }[];
    };
    let health: Health | null = null;
    await expect
      .poll(
        async () => {
          health = (await (await fetch(`${server.url}/api/health`)).json()) as Health;
          return health.workers
            .filter((w) => w.alive)
            .map((w) => w.name)
            .sort();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual(['client-status-summarizer', 'collection-evaluator', 'console', 'management-point']);
    const { supervised, workers } = health!;
    const pid = supervised[0].pid;
    expect(supervised.map(({ name, pid, state }) => ({ name, pid, state }))).toEqual([
      { name: 'collection-evaluator', pid, state: 'running' },
      { name: 'client-status-summarizer', pid, state: 'running' },
    ]);
    const byName = new Map(workers.map((w) => [w.name, w.pid]));
    expect(byName.get('collection-evaluator')).toBe(pid);
    expect(byName.get('client-status-summarizer')).toBe(pid);
    // The server's own roles beat too, under its pid.
    expect(byName.get('console')).toBe(server.pid);
    expect(byName.get('management-point')).toBe(server.pid);
    const worker = commandLine(pid);
    expect(worker.some((arg) => arg.includes('tsx'))).toBe(false);
    expect(worker.slice(-2)).toEqual([expect.stringMatching(/dist\/server\/workers\/run\.mjs$/), 'collection-evaluator,client-status-summarizer']);
  });
});

// A newcomer's first start where the configuration cannot work (a port taken, a data folder that
// cannot be one): one message naming the variable to change, not a stack trace.
describe('a start the configuration stops', () => {
  const startFailure = async (env: Record<string, string>) => {
    const { url } = await useTestDatabase();
    return startAppServer({ databaseUrl: url, compiled: true, env }).then(
      async (server) => {
        await server.stop();
        return '';
      },
      (error: Error) => error.message,
    );
  };

  it('stops with a message naming PORT, and no stack trace, when another program holds the port', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const failure = await startFailure({ PORT: String(port) });
      expect(failure).toMatch(/exited with 1/);
      expect(failure).toContain(`PORT: port ${port} is already in use on 127.0.0.1`);
      expect(failure).not.toMatch(/^\s+at /m);
    } finally {
      holder.close();
    }
  }, 180_000);

  it('stops with a message naming SITEBOX_DATA_DIR, and no stack trace, when it names a file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-data-dir-'));
    try {
      const file = path.join(dir, 'not-a-folder');
      await writeFile(file, 'x');
      for (const dataDir of [file, path.join(file, 'below')]) {
        const failure = await startFailure({ SITEBOX_DATA_DIR: dataDir });
        expect(failure).toMatch(/exited with 1/);
        expect(failure).toContain(`SITEBOX_DATA_DIR: ${dataDir}`);
        expect(failure).not.toMatch(/^\s+at /m);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the server log', () => {
  it('writes JSON log lines that name their component once', async () => {
    const { url } = await useTestDatabase();
    const server = await startAppServer({ databaseUrl: url, compiled: true, env: { LOG_LEVEL: 'info', SITEBOX_LOG_FORMAT: 'json' } });
    try {
      await expect.poll(() => server.output(), { timeout: 30_000 }).toMatch(/"msg":"serving HTTPS"/);
      await expect.poll(() => server.output(), { timeout: 30_000 }).toMatch(/"msg":"client notification port listening"/);
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const twice = lines.filter((line) => (line.match(/"component":/g) ?? []).length > 1);
      expect(twice).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
