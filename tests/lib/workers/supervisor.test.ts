import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restartDelay } from '@/lib/workers/backoff';
import { forkTs } from '@/lib/fork-ts';
import { Supervisor, workerProcesses, type SupervisorOptions } from '@/lib/workers/supervisor';

const fixture = 'tests/fixtures/supervised-worker.mjs';

interface Launch {
  at: number;
  child: ChildProcess;
  messages: { type: string; pid: number }[];
}

/** A supervisor over the fixture worker (names are its modes) that records launches and logs. */
function supervise(options: Partial<SupervisorOptions> & { names: string[]; viaForkTs?: boolean }) {
  const launches: Launch[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const supervisor = new Supervisor({
    log,
    initialBackoffMs: 20,
    maxBackoffMs: 80,
    stopTimeoutMs: 2_000,
    ...options,
    spawn: (mode) => {
      // forkTs is the production path (tsx, own process group); plain fork starts faster.
      const child = options.viaForkTs
        ? forkTs(fixture, [mode])
        : fork(path.join(process.cwd(), fixture), [mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const launch: Launch = { at: Date.now(), child, messages: [] };
      child.on('message', (m: Launch['messages'][number]) => launch.messages.push(m));
      launches.push(launch);
      return child;
    },
  });
  running.push(supervisor);
  supervisor.start();
  return { supervisor, launches, logs };
}

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const ready = (launch: Launch | undefined) => vi.waitFor(() => expect(launch?.messages.map((m) => m.type)).toContain('ready'), { timeout: 10_000 });

describe('restartDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => restartDelay({ attempt, initialMs: 1_000, maxMs: 10_000 }));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('treats a negative attempt as the first and never waits longer than the cap', () => {
    expect(restartDelay({ attempt: -1, initialMs: 500, maxMs: 30_000 })).toBe(500);
    expect(restartDelay({ attempt: 1_000, initialMs: 500, maxMs: 30_000 })).toBe(30_000);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing worker with growing backoff, up to the cap', async () => {
    const { supervisor, launches, logs } = supervise({ names: ['crash'] });
    await vi.waitFor(() => expect(launches.length).toBeGreaterThanOrEqual(5), { timeout: 10_000 });
    await supervisor.stop();

    const restarts = logs.filter((l) => l.msg === 'worker exited; restarting');
    expect(restarts.slice(0, 4).map((l) => l.restartInMs)).toEqual([20, 40, 80, 80]);
    expect(restarts[0]).toMatchObject({ worker: 'crash', code: 3, signal: null });
    // Each relaunch came no sooner than the delay it announced (plus the crash itself).
    for (let i = 1; i < 5; i++) {
      expect(launches[i].at - launches[i - 1].at).toBeGreaterThanOrEqual((restarts[i - 1].restartInMs as number) - 2);
    }
    expect(supervisor.status()).toEqual([expect.objectContaining({ name: 'crash', state: 'stopped', pid: null, restarts: restarts.length })]);
  });

  it('stop() sends SIGTERM and waits for the worker to finish shutting down', async () => {
    const { supervisor, launches } = supervise({ names: ['graceful'], viaForkTs: true });
    await ready(launches[0]);
    expect(supervisor.status()[0]).toMatchObject({ state: 'running', pid: launches[0].child.pid });

    const started = Date.now();
    await supervisor.stop();
    // The fixture takes 100 ms after SIGTERM; stop() resolved only after it exited by itself.
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(launches[0].messages.map((m) => m.type)).toEqual(['ready', 'sigterm']);
    expect(launches[0].child.exitCode).toBe(0);
    expect(supervisor.status()[0]).toMatchObject({ state: 'stopped', lastExit: { code: 0, signal: null } });

    // A worker that exits because it was asked to is not restarted: the exit it recorded above is
    // where a restart would have been scheduled, and none was.
    expect(supervisor.status()[0].restarts).toBe(0);
    expect(launches).toHaveLength(1);
  });

  it('SIGKILLs a worker that ignores SIGTERM once stopTimeoutMs has passed', async () => {
    const { supervisor, launches } = supervise({ names: ['stubborn'], stopTimeoutMs: 300 });
    await ready(launches[0]);

    const started = Date.now();
    await supervisor.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
    expect(launches[0].messages.map((m) => m.type)).toEqual(['ready', 'sigterm']);
    expect(launches[0].child.signalCode).toBe('SIGKILL');
    expect(supervisor.status()[0]).toMatchObject({ state: 'stopped', lastExit: { code: null, signal: 'SIGKILL' } });
  });
});

describe('workers sharing a process', () => {
  it('groups every worker not told to run apart into one process', () => {
    const names = ['status-manager', 'inventory-loader', 'collection-evaluator'];
    expect(workerProcesses(names)).toEqual([names]);
    expect(workerProcesses(names, ['inventory-loader'])).toEqual([['status-manager', 'collection-evaluator'], ['inventory-loader']]);
    expect(workerProcesses(names, '*')).toEqual(names.map((name) => [name]));
    expect(workerProcesses([], [])).toEqual([]);
  });

  it("starts one process for a group and shows each of its workers with that process's pid, restarted together", async () => {
    // The fixture reads its mode from the group's name: 'graceful,stubborn' is no mode it knows, so it runs until stopped.
    const { supervisor, launches } = supervise({ names: ['graceful', 'stubborn'], stopTimeoutMs: 300 });
    await ready(launches[0]);
    expect(launches).toHaveLength(1);
    const pid = launches[0].child.pid;
    await vi.waitFor(() =>
      expect(supervisor.status().map(({ name, pid, state }) => ({ name, pid, state }))).toEqual([
        { name: 'graceful', pid, state: 'running' },
        { name: 'stubborn', pid, state: 'running' },
      ]),
    );
    launches[0].child.kill('SIGKILL');
    await vi.waitFor(() => expect(launches).toHaveLength(2), { timeout: 10_000 });
    await ready(launches[1]);
    expect(supervisor.status().map((s) => [s.name, s.pid, s.restarts])).toEqual([
      ['graceful', launches[1].child.pid, 1],
      ['stubborn', launches[1].child.pid, 1],
    ]);
  });
});
