import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { backoffMs } from '../../retry-delay';
import type { TlsTrust } from '../tls-pin';
import { cycleMs, type AgentCredential, type AgentCycle, type AgentPolicy } from '../../protocol/policy.schema';
import { collectHardware, type HardwareCollection } from './collect-hardware';
import { collectDiscoveryRecord, HeartbeatRefusedError, sendDiscoveryRecord } from './heartbeat';
import { buildInventoryReport, describeInventoryReport, type InventoryCollection } from './inventory-delta';
import { InventorySender, type SettledReport } from './inventory-sender';
import { readInventoryState, writeInventoryState, type InventoryState, type InventoryTask } from './inventory-state';
import { listSoftware, type SoftwareList, type SoftwareListerOptions } from './list-software';
import { silentLog, type AgentLog } from '../agent-log';

/** What the real agent turns on (ClientAgent's `inventory` option); the rest comes from the agent. */
export interface InventoryOptions {
  /** Folder of the inventory state and spool (e.g. <agent state>/inventory). */
  stateDir: string;
  agentVersion: string;
  osKind?: 'WORKSTATION' | 'SERVER';
  software?: SoftwareListerOptions;
  /** Stand-ins for tests; default: systeminformation and the package database. */
  collectHardware?: () => Promise<HardwareCollection>;
  listSoftware?: () => Promise<SoftwareList>;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => Date;
}

export interface InventoryClientOptions extends InventoryOptions {
  managementPointUrls: string[];
  credential: AgentCredential;
  httpAgent?: http.Agent;
  /** The pinned site certificate authority, for https management points. */
  tls?: TlsTrust;
  random?: () => number;
  log?: AgentLog;
}

type Cycles = Record<InventoryTask, AgentCycle>;
const defaultCycle: AgentCycle = { enabled: true, every: 7, unit: 'days' };
/** setTimeout's longest delay; a later run is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The agent's inventory and heartbeat discovery: runs the hardware inventory, software inventory
 * and heartbeat discovery cycles on the schedules policy gives (at once when one never ran, and
 * when pushed from Client Operations), builds full reports and deltas against what the site holds,
 * and hands them to the spool. One task at a time, in order, so reports chain version by version.
 */
export class InventoryClient {
  private readonly options: InventoryClientOptions;
  private readonly log: AgentLog;
  private readonly random: () => number;
  private readonly stateFile: string;
  private readonly sender: InventorySender;
  private state: InventoryState | null = null;
  private cycles: Cycles = { hardware: defaultCycle, software: defaultCycle, discovery: defaultCycle };
  private readonly timers = new Map<InventoryTask, NodeJS.Timeout>();
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private controller = new AbortController();
  /** The site refused a report as this device (403: waiting for approval, or revoked): inventory waits for a policy. */
  private waitForPolicy = false;
  private resyncQueued = false;
  /** A cycle that failed waits until then (backoff), not its whole interval, nor no time at all. */
  private readonly retryAt: Partial<Record<InventoryTask, number>> = {};
  private readonly attempts: Partial<Record<InventoryTask, number>> = {};
  /** Runs due now, queued but not yet started (so a second schedule() does not queue them twice). */
  private readonly queued = new Set<InventoryTask>();
  private heartbeatRefused = false;

  constructor(options: InventoryClientOptions) {
    this.options = options;
    this.log = options.log ?? silentLog;
    this.random = options.random ?? Math.random;
    this.stateFile = path.join(options.stateDir, 'inventory-state.json');
    this.sender = new InventorySender({
      spoolDir: path.join(options.stateDir, 'spool'),
      managementPointUrls: options.managementPointUrls,
      authorization: `Device ${options.credential.deviceId}.${options.credential.secret}`,
      httpAgent: options.httpAgent,
      tls: options.tls,
      initialBackoffMs: options.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
      random: options.random,
      log: options.log,
      onSettled: (settled) => this.onSettled(settled),
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Starts sending what is spooled and the schedules (default cycles until policy arrives). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    this.state ??= await this.readState();
    this.sender.start();
    // Heartbeat discovery runs at every start, then on its cycle.
    void this.enqueue(() => this.run('discovery'))
      .catch((error) => this.log.warn({ err: error instanceof Error ? error.message : error }, 'heartbeat discovery at start failed'))
      .finally(() => this.schedule());
    this.schedule();
  }

  /** Stops the schedules and the sender; spooled reports stay for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.controller.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.queue.catch(() => undefined);
    await this.sender.stop();
  }

  /** Resolves when every spooled report has been answered for (tests, a clean shutdown). */
  flush(): Promise<void> {
    return this.queue.then(() => this.sender.flush());
  }

  /** When each cycle runs next (null: off, or waiting for a policy); read by tests and diagnostics. */
  nextRuns(): Record<InventoryTask, Date | null> {
    const state = this.state;
    const at = (task: InventoryTask) => {
      const due = state ? this.dueAt(task, state) : null;
      return due === null ? null : new Date(due);
    };
    return { hardware: at('hardware'), software: at('software'), discovery: at('discovery') };
  }

  /** A policy arrived: its cycles become the schedules, and a resync it asks for is answered. */
  onPolicy(policy: AgentPolicy): void {
    const agent = policy.clientAgent;
    this.cycles = { hardware: agent.inventory, software: agent.softwareInventory, discovery: agent.heartbeatDiscovery };
    // A policy means the site takes this device (approved): what a 403 held back may go now.
    this.waitForPolicy = false;
    if (this.heartbeatRefused) delete this.retryAt.discovery;
    const resync = policy.inventory?.resync === true;
    void this.enqueue(async () => {
      const state = await this.loadState();
      if (resync && !state.resyncAnswered) {
        this.log.info({}, 'policy asks for a full inventory');
        await this.resync(state, 'policy');
        state.resyncAnswered = true;
        await this.save();
      } else if (!resync && state.resyncAnswered) {
        state.resyncAnswered = false;
        await this.save();
      }
    }).catch((error) => this.log.warn({ err: error }, 'inventory resync failed'));
    this.schedule();
  }

  /**
   * Runs a cycle now (a Client Operations action) and says what it sent, e.g.
   * "Hardware inventory sent (delta, 3 classes changed)". Rejects with the reason it failed.
   */
  runCycle(task: InventoryTask): Promise<string> {
    return this.enqueue(() => this.run(task));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private readState(): Promise<InventoryState> {
    return readInventoryState(this.stateFile, (reason) =>
      this.log.warn({ file: this.stateFile, reason }, 'the inventory state file cannot be read; starting afresh, the next report is full'),
    );
  }

  private async loadState(): Promise<InventoryState> {
    this.state ??= await this.readState();
    return this.state;
  }

  private async save(): Promise<void> {
    if (this.state) await writeInventoryState(this.stateFile, this.state);
  }

  // ------------------------------------------------------------------ schedules

  private dueAt(task: InventoryTask, state: InventoryState): number | null {
    const cycle = this.cycles[task];
    if (!cycle.enabled) return null;
    if (task !== 'discovery' && this.waitForPolicy) return null;
    const now = this.now().getTime();
    const last = state.lastRun[task] ? Date.parse(state.lastRun[task]) : null;
    // A last run after now was stamped by a clock that ran ahead and has since been put right:
    // a cycle from that stamp could be a year with no inventory, so it runs now.
    const due = last !== null && last <= now ? last + cycleMs(cycle) : now;
    return Math.max(due, this.retryAt[task] ?? 0);
  }

  /** Arms one timer per enabled cycle for its next run; one due now (never ran, or overdue) is queued at once. */
  private schedule(): void {
    if (!this.running) return;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const state = this.state;
    if (!state) return;
    for (const task of ['hardware', 'software', 'discovery'] as const) {
      const due = this.dueAt(task, state);
      if (due === null) continue;
      const delay = Math.min(MAX_TIMER_MS, due - this.now().getTime());
      if (delay <= 0) {
        this.runDue(task);
        continue;
      }
      const timer = setTimeout(() => {
        this.timers.delete(task);
        this.runDue(task);
      }, delay);
      timer.unref?.();
      this.timers.set(task, timer);
    }
  }

  private runDue(task: InventoryTask): void {
    if (this.queued.has(task)) return;
    this.queued.add(task);
    void this.enqueue(async () => {
      this.queued.delete(task);
      // Another run (an action, a full report covering both parts) may have made it not due any more.
      const at = this.dueAt(task, await this.loadState());
      if (!this.running || at === null || at > this.now().getTime()) return;
      try {
        await this.run(task);
        this.attempts[task] = 0;
        delete this.retryAt[task];
      } catch (error) {
        // Refused (e.g. waiting for approval): in an hour, or with the next policy; else backoff.
        const wait =
          error instanceof HeartbeatRefusedError
            ? 60 * 60_000
            : backoffMs({
                attempt: (this.attempts[task] = (this.attempts[task] ?? 0) + 1) - 1,
                initialMs: 5_000,
                maxMs: 60 * 60_000,
                random: this.random,
              });
        this.retryAt[task] = this.now().getTime() + wait;
        throw error;
      }
    })
      .catch((error) => this.log.warn({ err: error instanceof Error ? error.message : error, task }, 'inventory cycle failed; trying again later'))
      .finally(() => this.schedule());
  }

  // ------------------------------------------------------------------ cycles

  private async run(task: InventoryTask): Promise<string> {
    const state = await this.loadState();
    if (task === 'discovery') return this.heartbeat(state);
    const full = state.snapshot === null;
    const collection: InventoryCollection = {};
    // A full report describes the whole machine: both parts (each as far as its cycle is on).
    if (task === 'hardware' || (full && this.cycles.hardware.enabled)) collection.hardware = await this.collectHardware();
    if (task === 'software' || (full && this.cycles.software.enabled)) collection.software = await this.listSoftware();
    const summary = await this.report(state, collection);
    const label = task === 'hardware' ? 'Hardware inventory' : 'Software inventory';
    return `${label} sent (${describeInventoryReport(summary, task)}).`;
  }

  private collectHardware(): Promise<HardwareCollection> {
    return (this.options.collectHardware ?? collectHardware)();
  }

  private listSoftware(): Promise<SoftwareList> {
    // A package the site could not store is left out of the report, and said so here.
    const onRefused = (row: readonly unknown[], reason: string) =>
      this.log.warn(
        { package: row.map((v) => (typeof v === 'string' ? v.slice(0, 200) : v)), reason },
        'left a package out of the software inventory',
      );
    return (this.options.listSoftware ?? (() => listSoftware({ ...this.options.software, onRefused })))();
  }

  /** Builds the next report against the snapshot, spools it, and moves the snapshot and the versions on. */
  private async report(state: InventoryState, collection: InventoryCollection) {
    const collectedAt = this.now();
    const { report, snapshot, summary } = buildInventoryReport({
      base: state.snapshot,
      collection,
      version: state.nextVersion,
      deviceId: this.options.credential.deviceId,
      reportId: randomUUID(),
      collectedAt,
    });
    await this.sender.spool(report);
    state.snapshot = snapshot;
    state.nextVersion = report.version + 1;
    if (collection.hardware) state.lastRun.hardware = collectedAt.toISOString();
    if (collection.software) state.lastRun.software = collectedAt.toISOString();
    await this.save();
    this.log.info({ ...summary }, `inventory report spooled (${summary.kind})`);
    return summary;
  }

  /** Drops what is pending and spools a full report of what the machine has now. */
  private async resync(state: InventoryState, why: string) {
    await this.sender.dropPending();
    state.snapshot = null;
    const collection: InventoryCollection = {};
    if (this.cycles.hardware.enabled) collection.hardware = await this.collectHardware();
    if (this.cycles.software.enabled) collection.software = await this.listSoftware();
    const summary = await this.report(state, collection);
    this.log.info({ why, version: summary.version }, 'full inventory spooled for a resync');
  }

  private async onSettled(settled: SettledReport): Promise<void> {
    if (settled.outcome === 'accepted') {
      await this.enqueue(async () => {
        const state = await this.loadState();
        state.acknowledgedVersion = Math.max(state.acknowledgedVersion ?? 0, settled.report.version);
        await this.save();
      });
      return;
    }
    // A spool file that could not be read may be the base of the deltas after it: they are
    // dropped and a full report sent now, as for a 409, not one refusal after another.
    if (settled.outcome === 'resync' || settled.outcome === 'unreadable') {
      // Deltas spooled between the 409 and the full report meet a 409 of their own: one resync answers all.
      if (this.resyncQueued) return;
      this.resyncQueued = true;
      const siteVersion = settled.outcome === 'resync' ? settled.siteVersion : null;
      // Awaited: the sender goes on with the full report, not with an empty spool.
      await this.enqueue(async () => {
        this.resyncQueued = false;
        const state = await this.loadState();
        if (siteVersion !== null) state.nextVersion = Math.max(state.nextVersion, siteVersion + 1);
        await this.resync(state, settled.outcome === 'resync' ? 'the site did not hold the base of a delta' : 'a spooled report could not be read');
      }).catch((error) => this.log.warn({ err: error }, 'inventory resync failed'));
      return;
    }
    // Refused: the next report must be full when nothing is left to base a delta on. No new report
    // now (it could be refused the same way): the next cycle sends it, or the next policy after a 403.
    await this.enqueue(async () => {
      const state = await this.loadState();
      if (settled.chainBroken) state.snapshot = null;
      if (settled.status === 403) {
        delete state.lastRun.hardware;
        delete state.lastRun.software;
        this.waitForPolicy = true;
      }
      await this.save();
    });
    this.schedule();
  }

  private async heartbeat(state: InventoryState): Promise<string> {
    const record = await collectDiscoveryRecord({
      deviceId: this.options.credential.deviceId,
      name: this.options.credential.name,
      osKind: this.options.osKind ?? 'WORKSTATION',
      agentVersion: this.options.agentVersion,
      now: this.now(),
    });
    try {
      const { managementPointUrl } = await sendDiscoveryRecord({
        record,
        managementPointUrls: this.options.managementPointUrls,
        authorization: `Device ${this.options.credential.deviceId}.${this.options.credential.secret}`,
        httpAgent: this.options.httpAgent,
        tls: this.options.tls,
        signal: this.controller.signal,
      });
      this.heartbeatRefused = false;
      state.lastRun.discovery = this.now().toISOString();
      await this.save();
      this.log.info({ managementPointUrl }, 'heartbeat discovery record sent');
      return `Discovery data record sent to ${managementPointUrl}.`;
    } catch (error) {
      this.heartbeatRefused = error instanceof HeartbeatRefusedError;
      throw error;
    }
  }
}
