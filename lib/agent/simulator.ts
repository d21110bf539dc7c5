import http from 'node:http';
import https from 'node:https';
import { ClientAgent, type ClientAgentOptions } from './agent';
import { syntheticScanner, type ScanDurations } from './scan/synthetic-scanner';
import { syntheticEntities } from './live-query/synthetic-entities';
import type { EntityCollector } from './live-query/answer-live-query';
import type { AgentCredential } from '../protocol/policy.schema';
import { managementPointsInTurn } from './management-points-in-turn';
import type { StatusReporter } from './status-reporter';
import { fetchWithTrust } from './tls-pin';

export interface SimulatorOptions {
  /** The management points every agent reports to, preferred first (but see spreadOverManagementPoints). */
  managementPointUrls: string[];
  /**
   * Each agent in turn prefers the next management point of the list (then the rest, in order),
   * so one process's agents divide evenly among them, as a fleet's clients assigned to several
   * management points do. Default false: every agent prefers the first.
   */
  spreadOverManagementPoints?: boolean;
  credentials: AgentCredential[];
  notificationPort?: number;
  transports?: ClientAgentOptions['transports'];
  /** Connections start spread over this long, as a fleet's do (default 0: all at once). */
  connectSpreadMs?: number;
  /** Most concurrent HTTP requests (policy fetches) the whole simulated fleet makes. */
  maxHttpSockets?: number;
  scan?: ScanDurations;
  /** Fetch policy at start and on the interval, as real agents do (default false). */
  pollPolicy?: boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** For https management points: the pinned site certificate authority. */
  tls?: ClientAgentOptions['tls'];
  /**
   * Each agent's status reporter, when what it reports is measured (its own disk spool); none by
   * default. `fetch` sends over the simulator's shared keep-alive pool (give it to the reporter).
   */
  reporterFor?: (credential: AgentCredential, shared: { fetch: typeof fetch }) => StatusReporter;
  /** How each agent answers live queries: synthetic rows by default; a browser test passes this machine's. */
  collectEntity?: EntityCollector;
  /**
   * For several simulator processes on one host: called when this process's burst of pushes has
   * gone quiet. Its agents' work then waits for releasePushWork() (at most GATE_MAX_WAIT_MS), so
   * that no process starts acting while another is still reading the same push.
   */
  onPushBurstQuiet?: () => void;
}

// 50 ms: on a loaded host the gaps inside one burst (this process or the sender waiting for the
// CPU) outlast 10 ms, and the work then started mid-burst (README, site benchmark).
const BURST_QUIET_MS = 50;
const BURST_MAX_WAIT_MS = 1_000;
const WORK_SLICE = 200;
const GATE_MAX_WAIT_MS = 2_000;

/**
 * The simulated fleet's scheduler for what pushes set off: a push reaches thousands of agents in
 * this one process at once, where real agents each have their own machine. Their acknowledgements
 * and policy requests wait until no push has arrived for a moment (at most a second), then run in
 * slices, so writing them does not hold up the reading of the pushes still arriving. The moment is
 * judged after the event loop's next read of its sockets: on a busy host the process may have
 * waited for the CPU past the quiet time with pushes already in its sockets, and timers run before
 * those are read.
 */
function afterPushBurst(onQuiet?: () => void): { schedule: (work: () => void) => void; release: () => void } {
  let queue: (() => void)[] = [];
  let waiting = false;
  let firstQueuedAt = 0;
  let lastQueuedAt = 0;
  let gate: NodeJS.Timeout | null = null;
  const drain = async () => {
    if (gate) clearTimeout(gate);
    gate = null;
    waiting = false;
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i++) {
      batch[i]();
      if (i % WORK_SLICE === WORK_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const wait = (ms: number) =>
    setTimeout(
      () =>
        // setImmediate runs after the poll phase has read what is waiting in the sockets.
        setImmediate(() => {
          const now = Date.now();
          const quietFor = now - lastQueuedAt;
          if (quietFor >= BURST_QUIET_MS || now - firstQueuedAt >= BURST_MAX_WAIT_MS) quiet();
          else wait(Math.min(BURST_QUIET_MS - quietFor, BURST_MAX_WAIT_MS - (now - firstQueuedAt)));
        }),
      ms,
    );
  // Work queued while the gate is shut joins the drain it opens.
  const quiet = () => {
    if (!onQuiet) return void drain();
    gate = setTimeout(() => void drain(), GATE_MAX_WAIT_MS);
    onQuiet();
  };
  return {
    schedule: (work) => {
      queue.push(work);
      lastQueuedAt = Date.now();
      if (waiting) return;
      waiting = true;
      firstQueuedAt = lastQueuedAt;
      wait(BURST_QUIET_MS);
    },
    release: () => {
      if (gate) void drain();
    },
  };
}

/**
 * Thousands of client agents in one process, for tests and benchmarks: each is a full
 * ClientAgent with its own socket.io connection; they share one bounded HTTP keep-alive pool
 * (policy requests and, with reporters, their status reports).
 * No status reporter unless `reporterFor` gives one (a spool folder per simulated client measures
 * the disk too, which only a benchmark of reporting wants).
 */
export class AgentSimulator {
  readonly agents: ClientAgent[];
  private readonly httpAgent: http.Agent;
  private readonly pushWork: ReturnType<typeof afterPushBurst>;

  constructor(private readonly options: SimulatorOptions) {
    const pool = { keepAlive: true, maxSockets: options.maxHttpSockets ?? 64 };
    const secure = options.managementPointUrls.some((url) => url.startsWith('https:'));
    this.httpAgent = secure ? new https.Agent({ ...pool, ...options.tls }) : new http.Agent(pool);
    this.pushWork = afterPushBurst(options.onPushBurstQuiet);
    const schedulePushWork = this.pushWork.schedule;
    // Simulated clients scan nothing: their scans are synthetic work of the given durations.
    const scanner = syntheticScanner(options.scan ?? { quickScanMs: 500, fullScanMs: 2_000 });
    const urls = options.managementPointUrls;
    const sharedFetch = fetchWithTrust(options.tls, this.httpAgent);
    this.agents = options.credentials.map(
      (credential, i) =>
        new ClientAgent({
          managementPointUrls: options.spreadOverManagementPoints ? managementPointsInTurn(urls, i) : urls,
          credential,
          notificationPort: options.notificationPort,
          transports: options.transports,
          pollPolicy: options.pollPolicy ?? false,
          scanner,
          collectEntity: options.collectEntity ?? syntheticEntities(credential.name),
          httpAgent: this.httpAgent,
          tls: options.tls,
          initialBackoffMs: options.initialBackoffMs ?? 500,
          maxBackoffMs: options.maxBackoffMs ?? 10_000,
          schedulePushWork,
          reporter: options.reporterFor?.(credential, { fetch: sharedFetch }) ?? null,
        }),
    );
  }

  /** Starts every agent (spread over connectSpreadMs); resolves once all have started connecting. */
  async start(): Promise<void> {
    const spread = this.options.connectSpreadMs ?? 0;
    const step = this.agents.length > 1 ? spread / this.agents.length : 0;
    for (let i = 0; i < this.agents.length; i++) {
      await this.agents[i].start();
      // Yield now and then so thousands of handshakes do not starve the event loop.
      if (step) await new Promise((resolve) => setTimeout(resolve, step));
      else if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Lets the agents act on the pushes they hold (see onPushBurstQuiet). */
  releasePushWork(): void {
    this.pushWork.release();
  }

  connectedCount(): number {
    let n = 0;
    for (const agent of this.agents) if (agent.connected) n++;
    return n;
  }

  /** Resolves once `count` agents (default all) are connected, or rejects after timeoutMs. */
  async waitConnected(count = this.agents.length, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connectedCount() < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.connectedCount()} of ${count} simulated agents connected`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()));
    this.httpAgent.destroy();
  }
}
