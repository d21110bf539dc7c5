import type http from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MeteringPolicy } from '../../protocol/metering-policy.schema';
import type { AgentLog } from '../agent-log';
import type { TlsTrust } from '../tls-pin';
import { ProcessTable, readBootId, readBootTimeMs } from './list-processes';
import { createPackageVersions } from './package-versions';
import { MeteringUsageTracker, type MachineView } from './usage-tracker';
import { MeteringUsageUploader, USAGE_FILE_SUFFIX, nextUploadDelayMs } from './usage-uploader';
import { createUserNames } from './user-names';

/** What the real agent turns on (ClientAgent's `metering` option); the rest comes from the agent. */
export interface MeteringOptions {
  /** Folder of the runs in progress and the usage spool (e.g. <agent state>/metering). */
  stateDir: string;
  /** dpkg's database, when not the system's own (tests, a chroot). */
  dpkgStatusFile?: string;
  dpkgInfoDir?: string;
  /** Where snaps are mounted, when not /snap. */
  snapDir?: string;
  /** A stand-in for the machine (tests); default /proc, /etc/passwd and dpkg. */
  machine?: () => Promise<MachineView>;
}

export interface MeteringAgentOptions extends MeteringOptions {
  managementPointUrls: string[];
  authorization: string;
  httpAgent?: http.Agent;
  tls?: TlsTrust;
  random?: () => number;
  log: AgentLog;
}

/** How long a stopping agent tries to upload what is spooled before it goes (the rest goes at its next start). */
const SHUTDOWN_UPLOAD_MS = 5_000;

/** In the metering state folder: the runs in progress, and the spool of finished runs. */
const RUNS_IN_PROGRESS = 'runs-in-progress.json';
const USAGE_SPOOL = 'usage-spool';

/** What `sitebox-agent status` tells of metering: runs in progress and finished runs not yet uploaded. */
export async function meteringBacklog(stateDir: string): Promise<{ inProgress: number; waiting: number }> {
  const state = await readFile(path.join(stateDir, RUNS_IN_PROGRESS), 'utf8')
    .then((text) => JSON.parse(text) as { runs?: unknown } | null)
    // None yet, or torn: nothing to count.
    .catch(() => null);
  const waiting = await readdir(path.join(stateDir, USAGE_SPOOL)).catch(() => [] as string[]);
  return {
    inProgress: Array.isArray(state?.runs) ? state.runs.length : 0,
    waiting: waiting.filter((name) => name.endsWith(USAGE_FILE_SUFFIX)).length,
  };
}

/** The machine as the real agent sees it. */
async function realMachine(options: MeteringOptions): Promise<MachineView> {
  const processes = new ProcessTable();
  return {
    bootId: await readBootId(),
    bootTimeMs: await readBootTimeMs(),
    listProcesses: () => processes.list(),
    userName: createUserNames(),
    versionOf: createPackageVersions({ dpkgStatusFile: options.dpkgStatusFile, dpkgInfoDir: options.dpkgInfoDir, snapDir: options.snapDir }),
  };
}

/**
 * The Software Metering Agent: while policy enables metering with at least one rule, looks at the
 * running processes every processPollSeconds (lib/agent/metering/usage-tracker.ts), spools each
 * finished run, and uploads the spool every uploadMinutes — at once at start (what a previous run
 * left) and, best effort, when the agent stops.
 */
export class MeteringAgent {
  private readonly uploader: MeteringUsageUploader;
  private tracker: Promise<MeteringUsageTracker> | null = null;
  private policy: MeteringPolicy | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private uploadTimer: NodeJS.Timeout | null = null;
  private uploadFailures = 0;
  /** Polls and policy changes one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The upload under way: beside the polls (a slow management point must not delay them), never two at once. */
  private uploading: Promise<void> | null = null;
  private controller = new AbortController();
  private running = false;

  constructor(private readonly options: MeteringAgentOptions) {
    this.uploader = new MeteringUsageUploader({
      spoolDir: path.join(options.stateDir, USAGE_SPOOL),
      managementPointUrls: options.managementPointUrls,
      authorization: options.authorization,
      httpAgent: options.httpAgent,
      tls: options.tls,
      log: options.log,
    });
  }

  /** Uploads what a previous run left in the spool; metering itself waits for policy. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    this.scheduleUpload(0);
  }

  /** Applies the metering part of a fetched policy: starts, retimes or stops the process polls. */
  onPolicy(policy: MeteringPolicy | undefined): void {
    const active = policy?.enabled && policy.rules.length ? policy : null;
    const pollChanged = active?.processPollSeconds !== this.policy?.processPollSeconds;
    const uploadChanged = (active?.uploadMinutes ?? null) !== (this.policy?.uploadMinutes ?? null);
    const wasActive = this.policy !== null;
    this.policy = active;
    if (!this.running) return;
    if (active) {
      void this.enqueue(async () => (await this.trackerOnce()).setRules(active.rules));
      if (!wasActive || pollChanged) this.schedulePoll(0);
      if (!wasActive || uploadChanged) this.scheduleUpload(nextUploadDelayMs({ uploadMinutes: active.uploadMinutes, failures: 0 }));
    } else if (wasActive) {
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = null;
      // Metering turned off: what runs now is no longer metered; each open run ends here.
      void this.enqueue(async () => void (await (await this.trackerOnce()).finishAll()));
    }
  }

  /** Stops polling, keeps runs in progress for the next start, and tries briefly to upload the spool. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // A later start() takes up metering again with the next policy it is given.
    this.policy = null;
    for (const timer of [this.pollTimer, this.uploadTimer]) if (timer) clearTimeout(timer);
    this.pollTimer = this.uploadTimer = null;
    const tracker = this.tracker;
    if (tracker) void this.enqueue(async () => (await tracker).keepSightings());
    await this.queue;
    await this.uploading;
    const deadline = AbortSignal.any([this.controller.signal, AbortSignal.timeout(SHUTDOWN_UPLOAD_MS)]);
    await this.uploader.upload(deadline).catch((error) => this.options.log.warn({ err: error }, 'metering usage not uploaded at stop; kept'));
    this.controller.abort();
  }

  /** One look at the processes now (tests, and the poll timer). */
  pollNow(): Promise<void> {
    return this.enqueue(async () => {
      await (await this.trackerOnce()).poll();
    });
  }

  private trackerOnce(): Promise<MeteringUsageTracker> {
    this.tracker ??= (this.options.machine ?? (() => realMachine(this.options)))().then(
      (machine) =>
        new MeteringUsageTracker({
          stateFile: path.join(this.options.stateDir, RUNS_IN_PROGRESS),
          machine,
          spool: (runs) => this.uploader.spool(runs),
          onUnreadableState: (reason) =>
            this.options.log.warn(
              { file: path.join(this.options.stateDir, RUNS_IN_PROGRESS), reason },
              'the metering runs in progress cannot be read; metering starts afresh from the programs running now',
            ),
        }),
    );
    // A machine that could not be read is tried again at the next poll.
    this.tracker.catch(() => (this.tracker = null));
    return this.tracker;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue
      .then(work)
      .catch((error) => this.options.log.warn({ err: error }, 'software metering failed; trying again at the next poll'));
    this.queue = next;
    return next;
  }

  private schedulePoll(delayMs: number) {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (!this.running || !this.policy) return;
    this.pollTimer = setTimeout(() => {
      void this.pollNow().finally(() => this.policy && this.schedulePoll(this.policy.processPollSeconds * 1000));
    }, delayMs);
    this.pollTimer.unref?.();
  }

  private scheduleUpload(delayMs: number) {
    if (this.uploadTimer) clearTimeout(this.uploadTimer);
    this.uploadTimer = null;
    if (!this.running) return;
    this.uploadTimer = setTimeout(() => {
      this.uploading ??= this.uploader
        .upload(this.controller.signal)
        .then((outcome) => void (this.uploadFailures = outcome === 'retry' ? this.uploadFailures + 1 : 0))
        .catch((error) => {
          this.uploadFailures++;
          this.options.log.warn({ err: error }, 'metering usage upload failed; retrying');
        })
        .finally(() => {
          this.uploading = null;
          this.scheduleUpload(
            nextUploadDelayMs({ uploadMinutes: this.policy?.uploadMinutes ?? 15, failures: this.uploadFailures, random: this.options.random }),
          );
        });
    }, delayMs);
    this.uploadTimer.unref?.();
  }
}
