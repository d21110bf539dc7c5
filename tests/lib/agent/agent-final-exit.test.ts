// What the agent cannot get past by starting again ends it with code 2, the code its systemd unit
// does not restart on (RestartPreventExitStatus=2), instead of a restart every 10 seconds for ever.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './agent-process';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-final-exit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the agent from the sources to its end: its exit code and what it wrote. */
function runAgent(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/agent.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('an agent that cannot start on its state', () => {
  it('exits with code 2 when its credential file is not one it wrote', async () => {
    const state = path.join(dir, 'torn-credential');
    await mkdir(state, { recursive: true });
    await writeFile(path.join(state, 'credential.json'), '{"deviceId":52,"secr');
    // Nothing listens on port 9: the credential is read before any management point is asked.
    const { code, output } = await runAgent(['run', '--mp', 'http://127.0.0.1:9', '--name', 'TORN', '--state', state]);
    expect(output).toContain(`${path.join(state, 'credential.json')} is not a credential this agent wrote`);
    expect(code).toBe(2);
  }, 60_000);

  it('exits with code 2, naming what to remove, when its lock file is a folder', async () => {
    const state = path.join(dir, 'lock-folder');
    await mkdir(path.join(state, 'agent.lock'), { recursive: true });
    const { code, output } = await runAgent(['run', '--mp', 'http://127.0.0.1:9', '--name', 'LOCKDIR', '--state', state]);
    expect(output).toContain(`${path.join(state, 'agent.lock')} is not a file`);
    expect(output).not.toContain('EEXIST');
    expect(code).toBe(2);
  }, 60_000);

  it('exits with code 2, naming the credential file to remove, when the site no longer knows its credential', async () => {
    const state = path.join(dir, 'unknown-credential');
    await mkdir(state, { recursive: true });
    await writeFile(path.join(state, 'credential.json'), JSON.stringify({ deviceId: 77, secret: 'x'.repeat(43), name: 'GONE' }));
    // A management point that knows no device (the one deleted): requests are refused 401, the channel UNAUTHENTICATED.
    const mp = http.createServer((req, res) => {
      if (req.url?.startsWith('/socket.io/')) return;
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Unknown credential.' } }));
    });
    const io = new Server(mp, { serveClient: false });
    io.of('/agents').use((_socket, next) => next(new Error('UNAUTHENTICATED')));
    await new Promise<void>((resolve) => mp.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(mp.address() as AddressInfo).port}`;
      const { code, output } = await runAgent(['run', '--mp', url, '--name', 'GONE', '--state', state, '--no-inventory']);
      expect(output).toContain(`remove ${path.join(state, 'credential.json')} to register again`);
      expect(code).toBe(2);
    } finally {
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    }
  }, 60_000);
});
