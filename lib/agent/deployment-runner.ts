import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock';
import { policyDeploymentSchema, type PolicyDeployment } from '../protocol/policy-deployment.schema';
import { clientMessageIds as ids } from '../protocol/client-message-ids';
import type { Severity, StatusMessageInput } from '../protocol/status-message.schema';

/** What one simulated program run does: exit with a code (after a while), or never start (the user never runs it). */
export type SimulatedRun = { exitCode: number; durationMs?: number } | { never: true };
export type SimulateProgram = (deployment: PolicyDeployment, attempt: number) => SimulatedRun | Promise<SimulatedRun>;

/**
 * Reads an outcome spec, as `npm run agent` takes it from SITEBOX_AGENT_PROGRAM_OUTCOME:
 * `0` / `1603` (always that exit code), `never` (never run optional programs), or
 * `fail:0.25` (exit 1 a quarter of the time, else 0).
 */
export function simulateFromSpec(spec: string | undefined, random: () => number = Math.random): SimulateProgram {
  const text = (spec ?? '0').trim();
  if (text === 'never') return () => ({ never: true });
  const fail = /^fail:(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(text);
  if (fail) return () => ({ exitCode: random() < Number(fail[1]) ? 1 : 0 });
  if (/^-?\d{1,10}$/.test(text)) return () => ({ exitCode: Number(text) });
  throw new Error(`SITEBOX_AGENT_PROGRAM_OUTCOME: expected an exit code, "never" or "fail:<fraction>", got "${text}"`);
}

/** The part of the agent's status reporter the runner uses. */
interface Reporter {
  report(messages: StatusMessageInput | readonly StatusMessageInput[], options?: { mayRepeat?: boolean }): Promise<void>;
}

/** What the agent hands the runner with each policy it fetched. */
export interface RunnerPolicy {
  siteCode?: unknown;
  deployments: unknown[];
}
export interface RunnerContext {
  reporter: Reporter | null;
  deviceName: string;
  signal?: AbortSignal;
}

const phaseSchema = z.enum(['received', 'retry-wait', 'never', 'succeeded', 'failed', 'withdrawn']);
const trackedSchema = z.object({
  deployment: policyDeploymentSchema,
  phase: phaseSchema,
  attempts: z.number().int(),
  nextRunAt: z.string().nullable(),
});
type Tracked = z.infer<typeof trackedSchema>;
const stateFileSchema = z.object({ deployments: z.record(z.string(), trackedSchema) });

export interface DeploymentRunnerOptions {
  clock?: Clock;
  simulate?: SimulateProgram;
  /** Where to keep what was received and run, so a restarted agent neither reports nor runs twice. */
  stateFile?: string;
  /** Site code for reports when the policy carries none. */
  siteCode?: string;
  /** How a simulated run lasts its duration (default: a real timer; tests move their clock instead). */
  wait?: (ms: number) => Promise<void>;
  /** Timers for due work between policy fetches (default true; tests drive `runDue` themselves). */
  timers?: boolean;
  /** Where the agent says what it received, ran and how that ended (the agent's own log). */
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

export interface DeploymentRunner {
  /** The agent's policy hook: call with every policy fetched. */
  (policy: RunnerPolicy, ctx: RunnerContext): Promise<void>;
  /** Runs whatever is due now (called by the hook and by the runner's own timer). */
  runDue(): Promise<void>;
  /** Each deployment the runner knows of, by deployment ID, and where it stands. */
  snapshot(): Record<string, { phase: Tracked['phase']; attempts: number; nextRunAt: string | null }>;
}

const COMPONENT = 'Software Distribution';

/**
 * The uid of one program message: the same for the same device, deployment, message and run. An
 * agent killed after reporting and before saving its state reports again on its next start; under
 * the same uid the site keeps the message once instead of counting the program received or run twice.
 */
function reportUid(deviceName: string, deploymentId: string, messageId: number, run: number): string {
  const hex = createHash('sha256').update(`${deviceName}\0${deploymentId}\0${messageId}\0${run}`).digest('hex');
  // RFC 9562 version 8 (a custom layout), variant 10.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Each program status message the agent reports: its severity, and what the agent's log says with it. */
const programMessages = new Map<number, { severity: Severity; level: 'info' | 'warn'; text: string }>([
  [ids.programReceived, { severity: 'INFORMATIONAL', level: 'info', text: 'deployment received' }],
  [ids.programStarted, { severity: 'INFORMATIONAL', level: 'info', text: 'program started' }],
  [ids.programSucceeded, { severity: 'INFORMATIONAL', level: 'info', text: 'program succeeded' }],
  [ids.programFailed, { severity: 'ERROR', level: 'warn', text: 'program failed' }],
  [ids.programWillRetry, { severity: 'WARNING', level: 'warn', text: 'program failed; it will be retried' }],
  [ids.programExpired, { severity: 'WARNING', level: 'info', text: 'deployment expired before its program ran' }],
]);
const MAX_TIMER_MS = 60 * 60_000;

/**
 * The client agent's software distribution part. With each policy it:
 * - reports Received (10002) once for every deployment newly offered;
 * - runs each program (simulated) at its mandatory time, or when it becomes available if it has
 *   none (the simulated user starts it), reporting Started (10005) and then Succeeded (10008,
 *   exit code among the program's success codes) or Failed (10006, with the exit code); a failure
 *   with retries left reports Will Retry (10019) and runs again after the retry interval;
 * - when a deployment it never finished leaves policy at its expiration, reports Expired (10018)
 *   and forgets it. Nothing is run or reported for it after that.
 * Reports go through the agent's spooling status reporter, so they survive restarts and outages.
 */
export function createDeploymentRunner(options: DeploymentRunnerOptions = {}): DeploymentRunner {
  const clock = options.clock ?? systemClock;
  const simulate = options.simulate ?? simulateFromSpec(process.env.SITEBOX_AGENT_PROGRAM_OUTCOME);
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const tracked = new Map<string, Tracked>();
  let loaded = false;
  let queue: Promise<void> = Promise.resolve();
  let context: (RunnerContext & { siteCode: string }) | null = null;
  let timer: NodeJS.Timeout | null = null;

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  };

  async function load() {
    if (loaded) return;
    loaded = true;
    if (!options.stateFile) return;
    const text = await readFile(options.stateFile, 'utf8').catch(() => null);
    if (!text) return;
    // A torn file (a disk that lost its end) must not cost this policy its deployments: said, and
    // the runner goes on as on a first start; the next save writes the file whole again.
    let problem: string | null = null;
    try {
      const parsed = stateFileSchema.safeParse(JSON.parse(text));
      if (parsed.success) for (const [id, t] of Object.entries(parsed.data.deployments)) tracked.set(id, t);
      else problem = parsed.error.issues[0]?.message ?? 'not a deployment state file';
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem) options.log?.warn({ file: options.stateFile, err: problem }, 'deployment state file unreadable; starting without it');
  }

  async function save() {
    if (!options.stateFile) return;
    await mkdir(path.dirname(options.stateFile), { recursive: true });
    const temp = `${options.stateFile}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ deployments: Object.fromEntries(tracked) }));
    await rename(temp, options.stateFile);
  }

  /** Reports one program message of a deployment, for the run it has reached (`attempts`). */
  async function report(t: Tracked, messageId: number, extra: { exitCode?: number; attempt?: number; of?: number } = {}) {
    const d = t.deployment;
    const message = programMessages.get(messageId)!;
    options.log?.[message.level]({ deploymentId: d.deploymentId, deployment: d.name, program: d.programName, ...extra }, message.text);
    if (!context?.reporter) {
      options.log?.warn({ deploymentId: d.deploymentId, messageId }, 'no status reporter: program status not reported');
      return;
    }
    const properties: Record<string, string> = { AdvertisementID: d.deploymentId, PackageID: d.packageId, ProgramName: d.programName };
    if (extra.exitCode !== undefined) properties.ExitCode = String(extra.exitCode);
    const strings = [d.deploymentId, d.packageId, d.programName];
    if (extra.exitCode !== undefined) strings.push(String(extra.exitCode));
    if (extra.attempt !== undefined) strings.push(String(extra.attempt), String(extra.of));
    await context.reporter.report(
      {
        uid: reportUid(context.deviceName, d.deploymentId, messageId, t.attempts),
        messageId,
        severity: message.severity,
        type: 'MILESTONE',
        source: 'CLIENT',
        siteCode: context.siteCode,
        systemName: context.deviceName,
        component: COMPONENT,
        sourceTime: clock.now(),
        insertionStrings: strings,
        properties,
      },
      // Reported before the state file says so: an agent killed in between reports it again.
      { mayRepeat: true },
    );
  }

  const firstRunAt = (d: PolicyDeployment) => d.mandatoryAt ?? d.availableAt;

  /**
   * When a deployment waiting to run is due (null: it waits for nothing). A retry set further off
   * than its interval was timed by a clock that ran ahead and has since been put right: it is due now,
   * not after waiting out the clock's error.
   */
  function dueAt(t: Tracked, now: number): number | null {
    if ((t.phase !== 'received' && t.phase !== 'retry-wait') || !t.nextRunAt) return null;
    const at = Date.parse(t.nextRunAt);
    if (t.phase === 'retry-wait' && at - now > t.deployment.runConditions.retryIntervalMinutes * 60_000) return now;
    return at;
  }

  async function run(t: Tracked) {
    const d = t.deployment;
    const outcome = await simulate(d, t.attempts + 1);
    if ('never' in outcome) {
      // Optional programs the user never starts; a mandatory one runs regardless.
      if (!d.mandatoryAt) {
        options.log?.info(
          { deploymentId: d.deploymentId, deployment: d.name, program: d.programName },
          'program not run: it is optional and the user did not start it',
        );
        t.phase = 'never';
        t.nextRunAt = null;
        return;
      }
    }
    const { exitCode, durationMs } = 'never' in outcome ? { exitCode: 0, durationMs: 0 } : outcome;
    t.attempts += 1;
    await report(t, ids.programStarted);
    if (durationMs) await wait(Math.min(durationMs, d.runConditions.maxRunMinutes * 60_000));
    if (d.runConditions.successExitCodes.includes(exitCode)) {
      t.phase = 'succeeded';
      t.nextRunAt = null;
      await report(t, ids.programSucceeded, { exitCode });
    } else if (t.attempts <= d.runConditions.retries) {
      t.phase = 'retry-wait';
      t.nextRunAt = new Date(clock.now().getTime() + d.runConditions.retryIntervalMinutes * 60_000).toISOString();
      await report(t, ids.programWillRetry, { exitCode, attempt: t.attempts, of: d.runConditions.retries + 1 });
    } else {
      t.phase = 'failed';
      t.nextRunAt = null;
      await report(t, ids.programFailed, { exitCode });
    }
  }

  async function runDueNow() {
    const now = clock.now().getTime();
    for (const t of tracked.values()) {
      const due = dueAt(t, now);
      if (due !== null && due <= now) {
        if (t.deployment.expiresAt && Date.parse(t.deployment.expiresAt) <= now) continue; // too late to start
        await run(t);
        await save();
      }
    }
    schedule();
  }

  function schedule() {
    if (options.timers === false || context?.signal?.aborted) return;
    if (timer) clearTimeout(timer);
    timer = null;
    const now = clock.now().getTime();
    const due = [...tracked.values()].map((t) => dueAt(t, now)).filter((at) => at !== null);
    if (!due.length) return;
    const wait = Math.max(0, Math.min(MAX_TIMER_MS, Math.min(...due) - now));
    timer = setTimeout(() => void serial(runDueNow).catch((error) => options.log?.warn({ err: error }, 'deployment run failed')), wait);
    timer.unref();
  }

  const runner = (async (policy: RunnerPolicy, ctx: RunnerContext) =>
    serial(async () => {
      await load();
      const siteCode = typeof policy.siteCode === 'string' && policy.siteCode ? policy.siteCode : (options.siteCode ?? 'S01');
      context = { ...ctx, siteCode };
      ctx.signal?.addEventListener('abort', () => timer && clearTimeout(timer), { once: true });
      const offered = new Map<string, PolicyDeployment>();
      for (const raw of policy.deployments) {
        const parsed = policyDeploymentSchema.safeParse(raw);
        if (parsed.success) offered.set(parsed.data.deploymentId, parsed.data);
        else options.log?.warn({ issues: parsed.error.issues.slice(0, 3) }, 'deployment in policy not understood; skipped');
      }
      const now = clock.now().getTime();
      for (const [id, t] of tracked) {
        if (offered.has(id) || t.phase === 'withdrawn') continue;
        // Withdrawn from policy. Expired before it finished: say so once. Its status on the site stays as it was.
        const expired = t.deployment.expiresAt !== null && Date.parse(t.deployment.expiresAt) <= now;
        if (expired && (t.phase === 'received' || t.phase === 'never' || t.phase === 'retry-wait')) await report(t, ids.programExpired);
        t.phase = 'withdrawn';
        t.nextRunAt = null;
      }
      for (const [id, d] of offered) {
        const known = tracked.get(id);
        if (known && known.phase !== 'withdrawn') {
          known.deployment = d; // times may have been changed on the site
          if (known.phase === 'received') known.nextRunAt = firstRunAt(d);
          continue;
        }
        if (known) continue; // offered again after it was withdrawn: it was dealt with already
        const fresh: Tracked = { deployment: d, phase: 'received', attempts: 0, nextRunAt: firstRunAt(d) };
        tracked.set(id, fresh);
        await report(fresh, ids.programReceived);
      }
      await save();
      await runDueNow();
    })) as DeploymentRunner;

  runner.runDue = () => serial(runDueNow);
  runner.snapshot = () => Object.fromEntries([...tracked].map(([id, t]) => [id, { phase: t.phase, attempts: t.attempts, nextRunAt: t.nextRunAt }]));
  return runner;
}
