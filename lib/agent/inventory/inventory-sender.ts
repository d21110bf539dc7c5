import { isUtf8 } from 'node:buffer';
import type http from 'node:http';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { backoffMs, retryAfterMs } from '../../retry-delay';
import { inventoryAnswerSchema, type InventoryReport } from '../../protocol/inventory.schema';
import { httpRequest } from '../http';
import type { TlsTrust } from '../tls-pin';
import { silentLog, type AgentLog } from '../agent-log';

const gzip = promisify(gzipCallback);

/** A report waiting in the spool. */
export interface SpooledReport {
  file: string;
  kind: 'full' | 'delta';
  version: number;
}

/** How the site answered for a spooled report (each settles it: it leaves the spool). */
export type SettledReport =
  | { outcome: 'accepted'; report: SpooledReport; duplicate: boolean }
  /** 409: a delta whose base the site does not hold. Every pending report was dropped with it. */
  | { outcome: 'resync'; report: SpooledReport; siteVersion: number | null; dropped: number }
  /**
   * 400, 403, 413: refused, and would be again. Dropped with the deltas built on it;
   * `chainBroken` when no full report is left to base later deltas on.
   */
  | { outcome: 'refused'; report: SpooledReport; status: number; message: string; dropped: number; chainBroken: boolean }
  /**
   * Not a report as its name says (torn by a crash mid-write): never sent, moved to `setAsideAs`.
   * The reports after it may build on it, so a full report should follow.
   */
  | { outcome: 'unreadable'; report: SpooledReport; setAsideAs: string; reason: string };

export interface InventorySenderOptions {
  spoolDir: string;
  /** Management points, preferred first: a network error or a 5xx moves on to the next. */
  managementPointUrls: string[];
  authorization: string;
  httpAgent?: http.Agent;
  /** The pinned site certificate authority, for https management points. */
  tls?: TlsTrust;
  onSettled?: (settled: SettledReport) => Promise<void> | void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  random?: () => number;
  log?: AgentLog;
}

const SUFFIX = '.inventory.json';
/** Spool files that cannot be read, kept for a look rather than sent or deleted. */
const UNREADABLE_DIR = 'unreadable';
const fileName = (kind: 'full' | 'delta', version: number) => `v${String(version).padStart(10, '0')}-${kind}${SUFFIX}`;

function parseName(file: string): SpooledReport | null {
  const match = /^v(\d{10})-(full|delta)\.inventory\.json$/.exec(file);
  return match ? { file, kind: match[2] as 'full' | 'delta', version: Number(match[1]) } : null;
}

/**
 * The inventory spool: each report is written to its own file (temporary name, flushed, renamed)
 * before it is sent, and leaves the folder only once the site answered for it. Reports go oldest
 * first (by version), gzip-encoded, to the management points in order; when none takes it the
 * sender waits with exponential backoff and jitter (a 503's Retry-After, when given). A new sender
 * on the same folder (after a restart) sends what the old one left.
 */
export class InventorySender {
  private readonly options: InventorySenderOptions;
  private readonly log: AgentLog;
  private readonly random: () => number;
  private ready: Promise<void> | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private stopController = new AbortController();
  private attempt = 0;
  private changed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: InventorySenderOptions) {
    if (!options.managementPointUrls.length) throw new Error('name at least one management point');
    this.options = options;
    this.log = options.log ?? silentLog;
    this.random = options.random ?? Math.random;
  }

  /** Writes a report to the spool; resolves once it is durably on disk. */
  async spool(report: InventoryReport): Promise<SpooledReport> {
    await this.prepare();
    const name = fileName(report.kind, report.version);
    const target = path.join(this.options.spoolDir, name);
    const temporary = `${target}.tmp`;
    // The folder may have been deleted under the running agent: made again, not failed on.
    await mkdir(this.options.spoolDir, { recursive: true, mode: 0o700 });
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify(report));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    await this.syncDirectory();
    this.changed = true;
    this.wakeUp?.();
    return { file: name, kind: report.kind, version: report.version };
  }

  /** Reports waiting, oldest first. */
  async pending(): Promise<SpooledReport[]> {
    await this.prepare();
    return (await readdir(this.options.spoolDir))
      .map(parseName)
      .filter((r): r is SpooledReport => r !== null)
      .sort((a, b) => a.version - b.version);
  }

  /** Removes every pending report (a resync makes them worthless); returns how many. */
  async dropPending(): Promise<number> {
    const list = await this.pending();
    for (const r of list) await rm(path.join(this.options.spoolDir, r.file), { force: true });
    return list.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.loop = this.run();
  }

  /** Stops sending; what is spooled stays for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }

  /** Resolves when the spool is empty; starts the sender if needed. */
  async flush(): Promise<void> {
    this.start();
    // Answered by the loop when it finds the spool empty, never by a look of our own: a 409's
    // resync empties the spool for a moment before the full report is written.
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.wakeUp?.();
    });
  }

  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.options.spoolDir, { recursive: true, mode: 0o700 });
      // A .tmp file is a write that never finished: its spool() never resolved.
      for (const name of await readdir(this.options.spoolDir)) {
        if (name.endsWith('.tmp')) await rm(path.join(this.options.spoolDir, name), { force: true });
      }
    })();
    return this.ready;
  }

  private async syncDirectory() {
    try {
      const dir = await open(this.options.spoolDir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      /* best effort: not every platform can open a directory */
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = 0;
      try {
        this.changed = false;
        const [next] = await this.pending();
        if (!next) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          if (!this.changed) await this.sleep(null);
          continue;
        }
        delay = await this.send(next);
      } catch (error) {
        this.log.warn({ err: error }, 'inventory sender failed; retrying');
        delay = this.nextBackoff();
      }
      if (delay > 0) await this.sleep(delay);
    }
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopController.signal;
      if (signal.aborted) return resolve();
      const timer = ms === null ? null : setTimeout(done, ms);
      function done() {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      this.wakeUp = ms === null ? done : null;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private nextBackoff(): number {
    return backoffMs({
      attempt: this.attempt++,
      initialMs: this.options.initialBackoffMs ?? 2000,
      maxMs: this.options.maxBackoffMs ?? 30 * 60_000,
      random: this.random,
    });
  }

  /** Sends one report to the first management point that answers for it; returns the wait before the next try (0: go on). */
  private async send(report: SpooledReport): Promise<number> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(this.options.spoolDir, report.file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    // Checked here: sent, it would be refused (400) and the full report wait for the next cycle.
    const unreadable = unreadableReason(bytes, report);
    if (unreadable) return this.setAside(report, unreadable);
    const body = await gzip(bytes);
    let retryAfter: number | null = null;
    for (const base of this.options.managementPointUrls) {
      let answer;
      try {
        answer = await httpRequest({
          url: new URL('/api/mp/inventory', base).toString(),
          method: 'POST',
          headers: { authorization: this.options.authorization, 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body,
          agent: this.options.httpAgent,
          tls: this.options.tls,
          timeoutMs: this.options.requestTimeoutMs ?? 60_000,
          signal: this.stopController.signal,
        });
      } catch (error) {
        if (!this.running) return 0;
        this.log.debug({ url: base, err: error instanceof Error ? error.message : error }, 'management point unreachable; trying the next');
        continue;
      }
      if (answer.status >= 500) {
        if (answer.status === 503) retryAfter = retryAfterMs(answer.headers['retry-after'] as string | undefined);
        this.log.debug({ url: base, status: answer.status }, 'management point did not take the inventory; trying the next');
        continue;
      }
      return this.settle(report, answer.status, answer.body);
    }
    const delay = retryAfter === null ? this.nextBackoff() : Math.round(retryAfter * (1 + 0.5 * this.random()));
    this.log.debug({ version: report.version, retryInMs: delay }, 'no management point took the inventory; it stays spooled');
    return delay;
  }

  private async setAside(report: SpooledReport, reason: string): Promise<number> {
    const setAsideAs = path.join(this.options.spoolDir, UNREADABLE_DIR, report.file);
    await mkdir(path.dirname(setAsideAs), { recursive: true, mode: 0o700 });
    await rename(path.join(this.options.spoolDir, report.file), setAsideAs);
    this.log.warn({ file: setAsideAs, kind: report.kind, version: report.version, reason }, 'a spooled inventory report cannot be read; set aside');
    await this.options.onSettled?.({ outcome: 'unreadable', report, setAsideAs, reason });
    return 0;
  }

  private async settle(report: SpooledReport, status: number, text: string): Promise<number> {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* an answer without a body */
    }
    const answer = inventoryAnswerSchema.safeParse(json);
    if (status === 200 || status === 202) {
      await rm(path.join(this.options.spoolDir, report.file), { force: true });
      this.attempt = 0;
      this.log.info({ kind: report.kind, version: report.version }, 'inventory report accepted');
      await this.options.onSettled?.({ outcome: 'accepted', report, duplicate: status === 200 });
      return 0;
    }
    if (status === 409) {
      const dropped = await this.dropPending();
      this.attempt = 0;
      const siteVersion = answer.success && answer.data.status === 'resync' ? answer.data.siteVersion : null;
      this.log.info({ version: report.version, siteVersion, dropped }, 'the site asked for a full inventory; pending deltas dropped');
      await this.options.onSettled?.({ outcome: 'resync', report, siteVersion, dropped });
      return 0;
    }
    if (status === 400 || status === 403 || status === 413) {
      // Sent again it would be refused again: dropped with the deltas built on it.
      const pending = await this.pending();
      const at = pending.findIndex((r) => r.file === report.file);
      const after = pending.slice(at + 1);
      const nextFull = after.findIndex((r) => r.kind === 'full');
      const doomed = [report, ...(nextFull === -1 ? after : after.slice(0, nextFull))];
      for (const r of doomed) await rm(path.join(this.options.spoolDir, r.file), { force: true });
      const message = errorMessage(json) ?? text.slice(0, 300);
      this.log.warn({ status, version: report.version, kind: report.kind, message }, 'the management point refused an inventory report; dropped');
      await this.options.onSettled?.({ outcome: 'refused', report, status, message, dropped: doomed.length, chainBroken: nextFull === -1 });
      return 0;
    }
    // 401 (the credential: the agent itself hears of it), 404 (a site that does not take inventory
    // yet) and the like: kept, and tried again later.
    const delay = this.nextBackoff();
    this.log.warn({ status, version: report.version, retryInMs: delay }, 'the management point did not take the inventory; retrying later');
    return delay;
  }
}

function errorMessage(json: unknown): string | null {
  const error = (json as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : null;
}

/**
 * Why a spool file is not the report its name says (torn by a crash, or foreign), or null when it
 * is. Not the whole schema: a report this agent built that the schema refuses would be built the
 * same way again by the full report that follows; sent, the site's 400 names the field instead.
 */
function unreadableReason(bytes: Buffer, spooled: SpooledReport): string | null {
  if (!isUtf8(bytes)) return 'not UTF-8';
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const { kind, version } = (json ?? {}) as { kind?: unknown; version?: unknown };
  if (kind !== spooled.kind || version !== spooled.version) return `not the ${spooled.kind} report of version ${spooled.version}`;
  return null;
}
