import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { MeteringPolicyRule } from '../../protocol/metering-policy.schema';
import type { MeteringUsageRun } from '../../protocol/metering-usage.schema';
import { writeFileAtomic } from '../write-file-atomic';
import { TICKS_PER_SECOND, type ProcessInfo } from './list-processes';
import { matchingRules, type WildcardPattern } from './match-rules';

/** A run in progress, as the state file keeps it across agent restarts. */
const openRunSchema = z.object({
  ruleId: z.number().int(),
  usageKey: z.string(),
  pid: z.number().int(),
  startTick: z.number().int(),
  startedAt: z.string(),
  userName: z.string(),
  filePath: z.string(),
  fileVersion: z.string(),
  /** The last poll that found the process alive: the best known end should the agent not see it end. */
  lastSeenAt: z.string(),
});
type OpenRun = z.infer<typeof openRunSchema>;

/**
 * How often a run that goes on has its last sighting written to the state file: the end an agent
 * that stops unseen gives it is at most this much early.
 */
const SIGHTING_SAVE_MS = 30_000;
const trackerStateSchema = z.object({ bootId: z.string(), runs: z.array(openRunSchema) });

/** What the tracker reads from the machine; the real agent passes /proc, /etc/passwd and dpkg. */
export interface MachineView {
  bootId: string;
  bootTimeMs: number;
  listProcesses(): Promise<ProcessInfo[]>;
  userName(uid: number): Promise<string>;
  versionOf(filePath: string): Promise<string | null>;
}

/**
 * Follows the runs of metered programs: each poll lists the running processes, opens a run for
 * each process a rule matches (one per rule), and finishes the runs whose process is gone. Runs
 * in progress are kept in `stateFile`, so an agent that restarts continues a run whose process
 * (same pid and start tick, same boot) still runs, and closes one whose process ended meanwhile
 * at the last time it was seen alive, marked estimated. A run's usage key (boot id, pid, start
 * tick, rule) stays the same however often it is closed or sent, so the site stores it once.
 */
export class MeteringUsageTracker {
  private runs = new Map<string, OpenRun>();
  private loaded = false;
  /** Program images already matched against the current rules (see programImage), with the rules each matched. */
  private matched = new Map<string, number[]>();
  /** When the state file was last written (epoch ms). */
  private savedAt = 0;
  private rules: readonly MeteringPolicyRule[] = [];
  private readonly patterns = new Map<string, WildcardPattern>();

  constructor(
    private readonly options: {
      stateFile: string;
      machine: MachineView;
      /** Where finished runs go (the usage spool); called before the state file drops them. */
      spool: (runs: MeteringUsageRun[]) => Promise<void>;
      /** Hears why a state file that is there could not be read (its runs are then unknown). */
      onUnreadableState?: (reason: string) => void;
      now?: () => Date;
    },
  ) {}

  /** The rules to meter by; processes are matched against them again at the next poll. */
  setRules(rules: readonly MeteringPolicyRule[]): void {
    this.rules = rules;
    this.matched.clear();
    this.patterns.clear();
  }

  /** Runs in progress. */
  get openRuns(): number {
    return this.runs.size;
  }

  /**
   * One look at the running processes. Hands the runs that finished to `spool` before the state
   * file forgets them, and resolves to them: should the agent die in between, the next start sends
   * a run again (the site stores it once) rather than never. If `spool` fails, nothing is forgotten.
   */
  async poll(): Promise<MeteringUsageRun[]> {
    const now = (this.options.now ?? (() => new Date()))();
    const machine = this.options.machine;
    const firstLook = !this.loaded;
    const finished = firstLook ? await this.restore() : [];
    const runsBefore = this.runs.size;
    const processes = await machine.listProcesses();
    const images = new Map(processes.map((p) => [programImage(p), p]));
    for (const image of this.matched.keys()) if (!images.has(image)) this.matched.delete(image);
    // Program images not matched before (a new process, or one that exec'd another program).
    const matches: { process: ProcessInfo; rule: MeteringPolicyRule; version: string }[] = [];
    for (const [image, process] of images) {
      if (this.matched.has(image)) continue;
      const found = await matchingRules({ rules: this.rules, program: process, versionOf: machine.versionOf, patterns: this.patterns });
      this.matched.set(
        image,
        found.map((m) => m.rule.ruleId),
      );
      for (const { rule, version } of found) matches.push({ process, rule, version });
    }
    const byPid = new Map(processes.map((p) => [p.pid, p]));
    const alive = new Map(processes.map((p) => [`${p.pid}:${p.startTick}`, p]));
    const ended: string[] = [];
    for (const [key, run] of this.runs) {
      const process = alive.get(`${run.pid}:${run.startTick}`);
      // Its program runs on; or the process exec'd another that the same rule meters, and the run goes on with it.
      const execed = process && process.filePath !== run.filePath && matches.find((m) => m.process === process && m.rule.ruleId === run.ruleId);
      if (process && (process.filePath === run.filePath || execed)) {
        run.lastSeenAt = now.toISOString();
        if (execed) Object.assign(run, { filePath: process.filePath, fileVersion: execed.version });
      } else {
        ended.push(key);
        // Gone (or running another program) at this poll, seen at the last: it ended between them.
        finished.push(finishedRun(run, halfwayBetween(run.lastSeenAt, now), false));
      }
    }
    for (const { process, rule, version } of matches) {
      const usageKey = `${machine.bootId}:${process.pid}:${process.startTick}:${rule.ruleId}`;
      if (this.runs.has(usageKey)) continue;
      // A process that a program of the same rule started (a browser's content processes, an
      // editor's helpers) is part of that program's run, not a run of its own.
      const parent = byPid.get(process.parentPid);
      if (parent && parent.startTick <= process.startTick && this.matched.get(programImage(parent))?.includes(rule.ruleId)) continue;
      this.runs.set(usageKey, {
        ruleId: rule.ruleId,
        usageKey,
        pid: process.pid,
        startTick: process.startTick,
        startedAt: new Date(machine.bootTimeMs + (process.startTick * 1000) / TICKS_PER_SECOND).toISOString(),
        userName: await machine.userName(process.uid),
        filePath: process.filePath,
        fileVersion: version,
        lastSeenAt: now.toISOString(),
      });
    }
    if (finished.length) await this.options.spool(finished);
    for (const key of ended) this.runs.delete(key);
    // The file is written when runs open or finish; a run that only goes on refreshes its last
    // sighting there every SIGHTING_SAVE_MS, not at every poll (nor at all on an idle machine).
    const changed = firstLook || finished.length > 0 || this.runs.size !== runsBefore;
    if (changed || (this.runs.size && now.getTime() - this.savedAt >= SIGHTING_SAVE_MS)) await this.save(now);
    this.loaded = true;
    return finished;
  }

  /**
   * Ends every run in progress now (metering turned off, or no rule left), spooled as poll() does.
   * A stopping agent does not call this: its runs stay open in the state file for its next start.
   */
  async finishAll(): Promise<MeteringUsageRun[]> {
    const now = (this.options.now ?? (() => new Date()))();
    const closed = this.loaded ? [] : await this.restore();
    const finished = [...closed, ...[...this.runs.values()].map((run) => finishedRun(run, now.toISOString(), false))];
    if (finished.length) await this.options.spool(finished);
    this.runs.clear();
    await this.save(now);
    this.loaded = true;
    return finished;
  }

  /** Writes the runs in progress as last seen (a stopping agent: its next start takes them up from there). */
  async keepSightings(): Promise<void> {
    if (this.loaded && this.runs.size) await this.save((this.options.now ?? (() => new Date()))());
  }

  /** Loads the runs a previous agent left open; those of another boot are over, closed at their last sighting. */
  private async restore(): Promise<MeteringUsageRun[]> {
    let saved: z.infer<typeof trackerStateSchema> | null = null;
    try {
      const parsed = trackerStateSchema.safeParse(JSON.parse(await readFile(this.options.stateFile, 'utf8')));
      if (parsed.success) saved = parsed.data;
      else this.options.onUnreadableState?.(parsed.error.issues[0]?.message ?? 'not a metering state');
    } catch (error) {
      // None yet: nothing was open.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.options.onUnreadableState?.(error instanceof Error ? error.message : String(error));
    }
    if (!saved) return [];
    const closed: MeteringUsageRun[] = [];
    for (const run of saved.runs) {
      if (saved.bootId === this.options.machine.bootId) this.runs.set(run.usageKey, run);
      else closed.push(finishedRun(run, run.lastSeenAt, true));
    }
    // Of this boot's runs, the next look at the processes keeps the live ones; the rest are closed there.
    const processes = new Set((await this.options.machine.listProcesses()).map((p) => `${p.pid}:${p.startTick}`));
    for (const [key, run] of this.runs) {
      if (processes.has(`${run.pid}:${run.startTick}`)) continue;
      this.runs.delete(key);
      closed.push(finishedRun(run, run.lastSeenAt, true));
    }
    return closed;
  }

  private async save(now: Date): Promise<void> {
    this.savedAt = now.getTime();
    await writeFileAtomic(this.options.stateFile, JSON.stringify({ bootId: this.options.machine.bootId, runs: [...this.runs.values()] }));
  }
}

/**
 * The end of a run that ended between two polls: halfway, so that run times are not counted long
 * by half an interval on average (each end is off by at most half an interval either way).
 */
function halfwayBetween(lastSeenAt: string, goneAt: Date): string {
  const seen = Date.parse(lastSeenAt);
  return new Date(seen + Math.max(0, goneAt.getTime() - seen) / 2).toISOString();
}

/** A process and the program it runs: an exec keeps the pid and start tick, and makes a new image to match. */
function programImage(process: ProcessInfo): string {
  return `${process.pid}:${process.startTick}:${process.filePath}`;
}

function finishedRun(run: OpenRun, endedAt: string, endEstimated: boolean): MeteringUsageRun {
  return {
    ruleId: run.ruleId,
    usageKey: run.usageKey,
    startedAt: run.startedAt,
    // Never before the start, whatever the clocks did.
    endedAt: endedAt < run.startedAt ? run.startedAt : endedAt,
    userName: run.userName,
    processId: run.pid,
    filePath: run.filePath,
    fileVersion: run.fileVersion,
    endEstimated,
  };
}
