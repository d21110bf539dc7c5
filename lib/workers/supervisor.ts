import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { restartDelay } from './backoff';
import { exited, forkTs } from '../fork-ts';

export interface SupervisedState {
  name: string;
  pid: number | null;
  state: 'starting' | 'running' | 'waiting-to-restart' | 'stopped';
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
}

interface Entry extends SupervisedState {
  child: ChildProcess | null;
  attempt: number;
  startedAt: number;
  timer: NodeJS.Timeout | null;
}

export interface SupervisorOptions {
  names: string[];
  log: Logger;
  /**
   * Workers that get a process of their own (`*`: every one); the others share one process,
   * which saves a Node.js runtime, its libraries and heap (about 90 MB) per worker.
   */
  apart?: readonly string[] | '*';
  /** How a worker process is made (for one worker or a comma-separated group); tests swap in a different entry. */
  spawn?: (name: string) => ChildProcess;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A worker that ran this long is considered healthy again and its backoff resets. */
  stableAfterMs?: number;
  stopTimeoutMs?: number;
}

/**
 * V8 settings for workers whose load differs from the rest. Status Manager turns thousands of
 * messages a second into objects that live for one transaction; with the default young
 * generation most of them survive into the old one, and garbage collection took a quarter of
 * its time in a 250,000-message flood.
 */
const workerNodeFlags: Record<string, string[]> = {
  'status-manager': ['--max-semi-space-size=64'],
};

/** The processes to run: one per worker told to run apart, and one for all the others. */
export function workerProcesses(names: readonly string[], apart: readonly string[] | '*' = []): string[][] {
  const alone = names.filter((name) => apart === '*' || apart.includes(name));
  const shared = names.filter((name) => !alone.includes(name));
  return [...(shared.length ? [shared] : []), ...alone.map((name) => [name])];
}

/** Every node flag any worker of a group asks for. */
const groupNodeFlags = (group: string) => [...new Set(group.split(',').flatMap((name) => workerNodeFlags[name] ?? []))];

/**
 * Starts the workers as processes (a group of workers shares one), restarts a process with
 * backoff when it dies, and stops them all on request.
 */
export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private stopping = false;
  private readonly spawn: (name: string) => ChildProcess;

  constructor(private readonly options: SupervisorOptions) {
    this.spawn = options.spawn ?? ((group) => forkTs('workers/run.ts', [group], { SITEBOX_PROCESS: group }, groupNodeFlags(group)));
  }

  start(): void {
    for (const name of workerProcesses(this.options.names, this.options.apart).map((group) => group.join(','))) {
      const entry: Entry = {
        name,
        pid: null,
        state: 'starting',
        restarts: 0,
        lastExit: null,
        child: null,
        attempt: 0,
        startedAt: 0,
        timer: null,
      };
      this.entries.set(name, entry);
      this.launch(entry);
    }
  }

  /** One row per worker; the workers of a shared process show its pid, state and restarts. */
  status(): SupervisedState[] {
    return [...this.entries.values()].flatMap(({ name: group, pid, state, restarts, lastExit }) =>
      group.split(',').map((name) => ({ name, pid, state, restarts, lastExit })),
    );
  }

  private launch(entry: Entry): void {
    entry.timer = null;
    entry.state = 'starting';
    const child = this.spawn(entry.name);
    entry.child = child;
    entry.pid = child.pid ?? null;
    entry.startedAt = Date.now();
    child.once('spawn', () => {
      entry.state = 'running';
      this.options.log.info({ worker: entry.name, pid: child.pid }, 'worker started');
    });
    child.once('error', (error) => this.options.log.error({ worker: entry.name, err: error }, 'worker process error'));
    child.once('exit', (code, signal) => this.onExit(entry, code, signal));
  }

  private onExit(entry: Entry, code: number | null, signal: NodeJS.Signals | null): void {
    entry.child = null;
    entry.pid = null;
    entry.lastExit = { code, signal, at: new Date().toISOString() };
    if (this.stopping) {
      entry.state = 'stopped';
      return;
    }
    if (Date.now() - entry.startedAt >= (this.options.stableAfterMs ?? 60_000)) entry.attempt = 0;
    const delay = restartDelay({
      attempt: entry.attempt,
      initialMs: this.options.initialBackoffMs ?? 1_000,
      maxMs: this.options.maxBackoffMs ?? 30_000,
    });
    entry.attempt += 1;
    entry.restarts += 1;
    entry.state = 'waiting-to-restart';
    this.options.log.warn({ worker: entry.name, code, signal, restartInMs: delay }, 'worker exited; restarting');
    entry.timer = setTimeout(() => this.launch(entry), delay);
  }

  /** SIGTERM every worker, wait for them, SIGKILL any still running after the timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    const children: ChildProcess[] = [];
    for (const entry of this.entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      if (entry.child) children.push(entry.child);
      else entry.state = 'stopped';
    }
    for (const child of children) child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.options.stopTimeoutMs ?? 10_000).unref());
    const all = Promise.all(children.map(exited)).then(() => 'done' as const);
    if ((await Promise.race([all, timeout])) === 'timeout') {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await all;
    }
  }
}
