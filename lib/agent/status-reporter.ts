import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { backoffMs, retryAfterMs } from '../retry-delay';
import { MAX_BATCH_MESSAGES } from '../protocol/status-batch.schema';
import { parseStatusMessage } from '../protocol/parse-status-message';
import { toWireStatusMessage, type StatusMessage, type StatusMessageInput, type WireStatusMessage } from '../protocol/status-message.schema';
import { silentLog, type AgentLog } from './agent-log';

export interface StatusReporterOptions {
  /** Base URL of the management point, e.g. `http://mp01.example.com:3000` (or give `managementPointUrls`). */
  managementPointUrl?: string;
  /**
   * The management points to report to, in order: a batch goes to the first until it fails
   * `attemptsPerManagementPoint` times in a row, then to the next, and so on round the list.
   */
  managementPointUrls?: readonly string[];
  /** Failed attempts (unreachable, 5xx, 503, …) at one management point before the next one is tried (default 3). */
  attemptsPerManagementPoint?: number;
  /** Folder of unsent batches; created if missing, reloaded at start. */
  spoolDir: string;
  /** The reporting client's name, sent with each batch (omit for a site system). */
  device?: string;
  /** Extra request headers, e.g. the device credential once ingest authenticates devices. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Most messages per request (default and upper bound: the endpoint's limit, 1000). */
  maxBatchMessages?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  /**
   * How long an idle sender waits after a report before it reads the spool (default 50 ms), so
   * reports made together leave in one request: an action's result right after what it did
   * reported, say. Nothing waits while a backlog is being sent.
   */
  lingerMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
  log?: AgentLog;
}

/** What happened to one request, for tests and diagnostics. */
export type SendOutcome = 'accepted' | 'partly-rejected' | 'dead-lettered' | 'split' | 'retry' | 'failed-over';

const BATCH_SUFFIX = '.batch.json';
const REJECTED_DIR = 'rejected';

/** How many status messages wait in a reporter's spool folder (each file's name ends -n<count>.batch.json); 0 when there is none. */
export async function spooledStatusMessages(spoolDir: string): Promise<number> {
  const names = (await readdir(spoolDir).catch(() => [] as string[])).filter((name) => name.endsWith(BATCH_SUFFIX));
  return names.reduce((sum, name) => sum + Number(/-n(\d+)$/.exec(name.slice(0, -BATCH_SUFFIX.length))?.[1] ?? 0), 0);
}

// A spool file is exactly this around its messages' JSON, joined by commas; its name ends -n<count>.batch.json.
const SPOOL_HEAD = Buffer.from('{"messages":[');
const SPOOL_TAIL = Buffer.from(']}');
// What joins files; a request body ends as a spool file does, which lets a held file's own tail
// close the body sent from its memory (see requestBody).
const COMMA = Buffer.from(',');
const BODY_TAIL = SPOOL_TAIL;
/** Most bytes of spool files a reporter holds in memory for its sender (see StatusReporter.held). */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/**
 * A spool file's content, and how many messages it holds. `bytes` holds the file from `room` on;
 * the bytes before it are left free for a request's head.
 */
interface SpoolBytes {
  bytes: Buffer<ArrayBuffer>;
  room: number;
  count: number;
  /** Its messages may have reached the site before: never sent as a first sending. */
  mayRepeat?: boolean;
}

/**
 * A spool file's bytes for these messages, written straight into one buffer: each message is
 * printed alone, so no text the size of the whole file is made (above 128 KB, V8 gives every such
 * string fresh memory of its own, and on a virtual machine each new page costs microseconds).
 */
function spoolBytes(messages: readonly WireStatusMessage[], room: number): SpoolBytes {
  const texts = messages.map((m) => JSON.stringify(m));
  let size = room + SPOOL_HEAD.length + Math.max(0, texts.length - 1) + SPOOL_TAIL.length;
  for (const text of texts) size += Buffer.byteLength(text);
  // Never a slice of Node's shared pool: a held file keeps exactly its own memory.
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = room + SPOOL_HEAD.copy(bytes, room);
  for (let i = 0; i < texts.length; i++) {
    if (i) at += COMMA.copy(bytes, at);
    at += bytes.write(texts[i], at);
  }
  SPOOL_TAIL.copy(bytes, at);
  return { bytes, room, count: texts.length };
}

function countOf(name: string): number | null {
  const match = /-n(\d+)\.batch\.json$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** A message as the schema outputs it; throws the schema's error for one the site would refuse. */
function validated(message: StatusMessageInput): StatusMessage {
  const parsed = parseStatusMessage(message);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

/**
 * Reports status messages to a management point reliably, as a client agent or site system
 * must: each `report()` first writes its messages to a spool file (written to a temporary name,
 * flushed, then renamed, so a crash never leaves half a batch) and resolves once they are on
 * disk. A sender then posts spooled batches, oldest first, and deletes a file only when the
 * management point has answered for its messages. A 503 is retried after its Retry-After plus
 * jitter; network errors and other failures with exponential backoff and jitter, without end.
 * With several management points, a batch that failed `attemptsPerManagementPoint` times in a
 * row at one is sent to the next (at once, unless the whole list failed in this round), and the
 * reporter stays with the one that answers. Batches still leave one at a time, oldest first, so
 * the order holds; a batch one management point stored without answering may arrive again at
 * the next, and the site keeps a message once by its uid.
 * A new reporter on the same folder (after a restart) sends what the old one left.
 */
/** How often reports kept in memory for want of disk space try the spool again when nothing else wakes the sender. */
const UNWRITTEN_RETRY_MS = 5_000;

export class StatusReporter {
  private readonly options: Required<
    Omit<StatusReporterOptions, 'managementPointUrl' | 'managementPointUrls' | 'device' | 'headers' | 'log' | 'fetch' | 'random'>
  > &
    StatusReporterOptions;
  private readonly urls: readonly string[];
  /** The management point batches go to now, its failures in a row, and where this round of failing over began. */
  private current = 0;
  private failuresHere = 0;
  private roundStart = 0;
  private readonly log: AgentLog;
  private readonly random: () => number;
  private readonly doFetch: typeof fetch;
  private ready: Promise<void> | null = null;
  private sequence = 0;
  private attempt = 0;
  private oneFilePerRequest = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Ends a wait before a retry (a backoff), for retryNow. */
  private wakeEarly: (() => void) | null = null;
  /** The wait after a report before the sender is woken: its timer, and whether its time is up. */
  private linger: { timer: NodeJS.Timeout; over: boolean } | null = null;
  /** Reports being written to the spool now. */
  private writing = 0;
  private stopController = new AbortController();
  private idleWaiters: (() => void)[] = [];
  /** Set by report(), cleared before each read of the spool. */
  private spoolChanged = false;
  /**
   * Spool files this reporter wrote and has not put in a request yet. A request made of these
   * alone tells the site so (`firstSending`), which spares it looking their messages up among
   * those it stored. Files left by an earlier run, retried or split are never in it.
   */
  private readonly neverSent = new Set<string>();
  /**
   * Spool files this reporter wrote and has not yet seen answered for, as the bytes it wrote, with
   * room before them for a request's head: a request of one of them is sent from that memory, not
   * read back from disk and copied into a body. At most MAX_HELD_BYTES; others are read from disk.
   */
  private readonly held = new Map<string, SpoolBytes>();
  private heldBytes = 0;
  /**
   * Reports the disk had no room for, kept in memory (at most MAX_HELD_BYTES of them) and
   * written to the spool as soon as it has: sending what is spooled frees room. Lost only if
   * the agent stops before then.
   */
  private readonly unwritten: SpoolBytes[] = [];
  /** A request's head up to its messages, by its `firstSending`; the room a held file keeps before it. */
  private readonly requestHeads: Record<'true' | 'false', Buffer>;
  private readonly headRoom: number;

  constructor(options: StatusReporterOptions) {
    this.options = {
      maxBatchMessages: Math.min(MAX_BATCH_MESSAGES, options.maxBatchMessages ?? MAX_BATCH_MESSAGES),
      initialBackoffMs: 1000,
      maxBackoffMs: 5 * 60_000,
      requestTimeoutMs: 30_000,
      lingerMs: 50,
      ...options,
      attemptsPerManagementPoint: Math.max(1, options.attemptsPerManagementPoint ?? 3),
    };
    this.urls = options.managementPointUrls?.length
      ? [...options.managementPointUrls]
      : options.managementPointUrl
        ? [options.managementPointUrl]
        : [];
    if (!this.urls.length) throw new Error('a status reporter needs a management point URL');
    this.log = options.log ?? silentLog;
    this.random = options.random ?? Math.random;
    this.doFetch = options.fetch ?? fetch;
    const device = options.device ? `"device":${JSON.stringify(options.device)},` : '';
    const head = (firstSending: boolean) => Buffer.from(`{${device}"firstSending":${firstSending},"messages":[`);
    this.requestHeads = { true: head(true), false: head(false) };
    this.headRoom = Math.max(this.requestHeads.true.length, this.requestHeads.false.length) - SPOOL_HEAD.length;
  }

  /**
   * Validates messages and writes them to the spool; resolves when they are durably on disk. They
   * are validated and printed before anything waits, so nothing holds them while the spool is
   * written, only their text: a client reporting hundreds at once (a policy's acknowledgements)
   * leaves short-lived objects, cheap to collect, not ones that outlive the disk's wait. On a full
   * disk they are kept in memory until the spool has room (see `unwritten`), and it resolves then too.
   * `mayRepeat`: these messages (under the same uids) may have been reported by an earlier run that
   * stopped before it noted doing so; the site then looks them up among those it stored.
   */
  report(messages: StatusMessageInput | readonly StatusMessageInput[], options: { mayRepeat?: boolean } = {}): Promise<void> {
    let files: SpoolBytes[];
    try {
      files = this.spoolFiles(Array.isArray(messages) ? messages : [messages]);
    } catch (error) {
      return Promise.reject(error);
    }
    if (options.mayRepeat) for (const file of files) file.mayRepeat = true;
    return this.spool(files);
  }

  /** The spool files' bytes for these messages, each file at most maxBatchMessages of them. */
  private spoolFiles(messages: readonly StatusMessageInput[]): SpoolBytes[] {
    const list = messages.map((m) => toWireStatusMessage(validated(m)));
    const files: SpoolBytes[] = [];
    for (let i = 0; i < list.length; i += this.options.maxBatchMessages) {
      files.push(spoolBytes(list.slice(i, i + this.options.maxBatchMessages), this.headRoom));
    }
    return files;
  }

  private async spool(files: SpoolBytes[]): Promise<void> {
    this.writing++;
    try {
      await this.prepare();
      for (let i = 0; i < files.length; i++) {
        try {
          // Behind reports still waiting for room, never ahead of them: the order holds.
          if (this.unwritten.length) throw Object.assign(new Error('reports wait for room in the spool'), { code: 'ENOSPC' });
          await this.writeSpoolFile(files[i]);
        } catch (error) {
          if (!this.keepUnwritten(files.slice(i), error)) throw error;
          break;
        }
      }
    } finally {
      this.writing--;
    }
    this.spoolChanged = true;
    if (!this.linger) this.linger = { timer: this.lingerTimer(this.options.lingerMs, () => this.lingerOver()), over: false };
    else if (this.linger.over && !this.writing) this.endLinger();
  }

  /**
   * The linger is over: the sender is woken now, or, while a report is still being written (what
   * an action reports right after another often is), once it is on disk, but at the latest nine
   * lingers later.
   */
  private lingerOver() {
    if (!this.linger) return;
    this.linger.over = true;
    if (this.writing) this.linger.timer = this.lingerTimer(9 * this.options.lingerMs, () => this.endLinger());
    else this.endLinger();
  }

  private endLinger() {
    if (!this.linger) return;
    clearTimeout(this.linger.timer);
    this.linger = null;
    this.wakeUp?.();
  }

  private lingerTimer(ms: number, then: () => void): NodeJS.Timeout {
    const timer = setTimeout(then, ms);
    timer.unref?.();
    return timer;
  }

  /** Starts sending in the background (spooled batches from an earlier run first). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.loop = this.run();
  }

  /** Stops sending; unsent messages stay in the spool for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    if (this.linger) clearTimeout(this.linger.timer);
    this.linger = null;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }

  /**
   * A management point is reachable again (the agent's notification channel just connected): a
   * retry waiting out its backoff, which grows to minutes through an outage, goes now.
   */
  retryNow(): void {
    if (!this.wakeEarly) return;
    this.attempt = 0;
    this.wakeEarly();
  }

  /** Resolves when the spool is empty (everything answered for); starts the sender if needed. */
  async flush(): Promise<void> {
    this.start();
    if ((await this.spooledFiles()).length === 0 && !this.unwritten.length) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** The management point batches are sent to now. */
  managementPoint(): string {
    return this.urls[this.current];
  }

  /** Messages waiting in the spool. */
  async pending(): Promise<number> {
    let count = this.unwritten.reduce((sum, f) => sum + f.count, 0);
    for (const file of await this.spooledFiles()) count += countOf(file) ?? (await this.readSpoolFile(file))?.length ?? 0;
    return count;
  }

  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(path.join(this.options.spoolDir, REJECTED_DIR), { recursive: true });
      // A .tmp file is a write that never finished: its report() never resolved, so it is not owed.
      for (const name of await readdir(this.options.spoolDir)) {
        if (name.endsWith('.tmp')) await rm(path.join(this.options.spoolDir, name), { force: true });
      }
    })();
    return this.ready;
  }

  private async spooledFiles(): Promise<string[]> {
    await this.prepare();
    return (await readdir(this.options.spoolDir)).filter((n) => n.endsWith(BATCH_SUFFIX)).sort();
  }

  private async writeSpoolFile(file: SpoolBytes, name?: string): Promise<void> {
    const fileName =
      name ?? `${Date.now().toString().padStart(15, '0')}-${(this.sequence++).toString().padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
    const spoolName = `${fileName}-n${file.count}${BATCH_SUFFIX}`;
    const target = path.join(this.options.spoolDir, spoolName);
    const temporary = `${target}.tmp`;
    try {
      const handle = await this.openSpoolFile(temporary);
      try {
        await handle.writeFile(file.bytes.subarray(file.room));
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      // A failed write (the disk full) leaves no part of itself taking room until the next start.
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
    // Noted before the rename makes the file visible to the sender, never after it was sent.
    if (name === undefined && !file.mayRepeat) this.neverSent.add(spoolName);
    this.hold(spoolName, file);
    try {
      await rename(temporary, target);
    } catch (error) {
      this.neverSent.delete(spoolName);
      this.release(spoolName);
      throw error;
    }
    await this.syncDirectory();
  }

  private async openSpoolFile(file: string) {
    try {
      return await open(file, 'w');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder was deleted under the running agent: made again, not failed on. Only then, as
      // a flood of reports writes a file a batch and each mkdir is a system call or two more.
      await mkdir(path.join(this.options.spoolDir, REJECTED_DIR), { recursive: true });
      return open(file, 'w');
    }
  }

  /** Keeps reports the disk had no room for, when that was the failure and memory allows. */
  private keepUnwritten(files: SpoolBytes[], error: unknown): boolean {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') return false;
    const bytes = files.reduce((sum, f) => sum + f.bytes.length, 0);
    const kept = this.unwritten.reduce((sum, f) => sum + f.bytes.length, 0);
    if (kept + bytes > MAX_HELD_BYTES) return false;
    if (!kept) this.log.warn({ err: error }, 'the disk is full: status messages are kept in memory until the spool has room');
    this.unwritten.push(...files);
    return true;
  }

  /** Writes the reports kept for want of room, oldest first, as far as the disk now takes them. */
  private async writeUnwritten(): Promise<void> {
    while (this.unwritten.length) {
      try {
        await this.writeSpoolFile(this.unwritten[0]);
      } catch (error) {
        this.log.debug({ err: error }, 'the spool still has no room for the reports kept in memory');
        return;
      }
      this.unwritten.shift();
      if (!this.unwritten.length) this.log.info({}, 'the reports kept in memory for want of disk space are spooled');
    }
  }

  private hold(name: string, file: SpoolBytes) {
    if (this.heldBytes + file.bytes.length > MAX_HELD_BYTES) return;
    this.held.set(name, file);
    this.heldBytes += file.bytes.length;
  }

  private release(name: string) {
    const file = this.held.get(name);
    if (!file) return;
    this.held.delete(name);
    this.heldBytes -= file.bytes.length;
  }

  private async syncDirectory() {
    // Makes the rename itself durable; not every platform can open a directory, hence best effort.
    try {
      const dir = await open(this.options.spoolDir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      /* best effort */
    }
  }

  private async readSpoolFile(name: string): Promise<WireStatusMessage[] | null> {
    try {
      const parsed = JSON.parse(await readFile(path.join(this.options.spoolDir, name), 'utf8')) as { messages?: WireStatusMessage[] };
      return Array.isArray(parsed.messages) ? parsed.messages : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.log.warn({ err: error, file: name }, 'unreadable spool file set aside');
      await this.deadLetter([name]);
      return null;
    }
  }

  /**
   * A spool file's messages as the bytes of their JSON, the array's brackets left out, without
   * parsing or decoding it: files are sent as they were written, so a flood of reports costs the
   * reporter no JSON or text work on the way out.
   */
  private async readSpoolMessageBytes(name: string): Promise<{ bytes: Buffer; count: number } | null> {
    const held = this.held.get(name);
    if (held) return { bytes: held.bytes.subarray(held.room + SPOOL_HEAD.length, held.bytes.length - SPOOL_TAIL.length), count: held.count };
    let content: Buffer;
    try {
      content = await readFile(path.join(this.options.spoolDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const count = countOf(name);
    const start = SPOOL_HEAD.length;
    const end = content.length - SPOOL_TAIL.length;
    if (count !== null && end >= start && content.subarray(0, start).equals(SPOOL_HEAD) && content.subarray(end).equals(SPOOL_TAIL)) {
      return { bytes: content.subarray(start, end), count };
    }
    const messages = await this.readSpoolFile(name);
    return messages ? { bytes: Buffer.from(JSON.stringify(messages).slice(1, -1)), count: messages.length } : null;
  }

  private async deadLetter(names: string[]) {
    for (const name of names) {
      this.neverSent.delete(name);
      this.release(name);
      await rename(path.join(this.options.spoolDir, name), path.join(this.options.spoolDir, REJECTED_DIR, name)).catch(() => undefined);
    }
  }

  private async removeFiles(names: string[]) {
    // unlink, not rm: rm looks at each path (lstat) before removing it, a second call per file for
    // every batch a flood of reports sends.
    for (const name of names) {
      this.release(name);
      await unlink(path.join(this.options.spoolDir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = 0;
      try {
        this.spoolChanged = false;
        if (this.unwritten.length && !this.writing) await this.writeUnwritten();
        const files = await this.spooledFiles();
        if (!files.length) {
          if (this.unwritten.length) {
            // Nothing spooled to send and free room with: the disk is looked at again in a while.
            await this.sleep(UNWRITTEN_RETRY_MS);
            continue;
          }
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          // A report written while the spool was being read is not in `files`: look again.
          if (!this.spoolChanged) await this.sleep(null);
          continue;
        }
        const outcome = await this.sendNext(files);
        delay = outcome.delayMs;
      } catch (error) {
        this.log.warn({ err: error }, 'status reporter failed; retrying');
        delay = backoffMs({
          attempt: this.attempt++,
          initialMs: this.options.initialBackoffMs,
          maxMs: this.options.maxBackoffMs,
          random: this.random,
        });
      }
      if (delay > 0) await this.sleep(delay);
    }
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopController.signal;
      // Stopped while the spool was being read or sent: an aborted signal never fires again.
      if (signal.aborted) return resolve();
      let timer: NodeJS.Timeout | null = null;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wakeEarly === done) this.wakeEarly = null;
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      this.wakeUp = ms === null ? done : null;
      this.wakeEarly = ms === null ? null : done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Sends the oldest spooled files that fit in one request and settles them by the answer. */
  private async sendNext(files: string[]): Promise<{ outcome: SendOutcome; delayMs: number }> {
    const batchFiles: string[] = [];
    const parts: Buffer[] = [];
    let count = 0;
    for (const name of files) {
      const known = countOf(name);
      if (batchFiles.length && (this.oneFilePerRequest || count + (known ?? 1) > this.options.maxBatchMessages)) break;
      const content = await this.readSpoolMessageBytes(name);
      if (!content || content.count === 0) continue;
      if (batchFiles.length) parts.push(COMMA);
      batchFiles.push(name);
      parts.push(content.bytes);
      count += content.count;
    }
    if (!batchFiles.length) return { outcome: 'accepted', delayMs: 0 };
    // Only this one request may say so: whatever becomes of it, these files count as sent.
    const firstSending = batchFiles.every((name) => this.neverSent.has(name));
    for (const name of batchFiles) this.neverSent.delete(name);
    // Bytes, not a string: the request needs neither the text's UTF-8 length nor its encoding.
    const body = this.requestBody(batchFiles, firstSending, parts);

    let response: Response;
    try {
      response = await this.doFetch(new URL('/api/mp/status-messages', this.urls[this.current]), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(await this.options.headers?.()) },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.requestTimeoutMs), this.stopController.signal]),
      });
    } catch (error) {
      if (!this.running) return { outcome: 'retry', delayMs: 0 };
      const delayMs = this.nextBackoff();
      this.log.debug(
        { err: error, managementPoint: this.urls[this.current], retryInMs: delayMs },
        'management point unreachable; messages stay spooled',
      );
      return this.failedHere(delayMs);
    }
    // Taken, refused or too large: this management point answered for the batch.
    if (response.ok || response.status === 400 || response.status === 413) this.answeredHere();

    const answer = (await response.json().catch(() => null)) as {
      error?: { details?: { accepted?: number; rejected?: { index: number; field: string; reason: string }[] } };
    } | null;
    if (response.ok) {
      await this.removeFiles(batchFiles);
      this.attempt = 0;
      this.oneFilePerRequest = false;
      return { outcome: 'accepted', delayMs: 0 };
    }
    if (response.status === 400) {
      const rejected = answer?.error?.details?.rejected;
      if (rejected) {
        // The valid messages were kept; the refused ones would be refused again.
        this.log.warn({ rejected }, 'the management point refused some status messages; they are dropped');
        await this.removeFiles(batchFiles);
        this.attempt = 0;
        return { outcome: 'partly-rejected', delayMs: 0 };
      }
      // Refused whole (a file whose bytes are not JSON any more, say): the files go one at a
      // time, so only the one refused on its own is set aside, never the good ones sent with it.
      if (batchFiles.length > 1) {
        this.oneFilePerRequest = true;
        return { outcome: 'split', delayMs: 0 };
      }
      this.log.warn({ files: batchFiles, error: answer?.error }, 'the management point refused a batch; set aside in the spool');
      await this.deadLetter(batchFiles);
      return { outcome: 'dead-lettered', delayMs: 0 };
    }
    if (response.status === 413) return this.shrink(batchFiles);
    if (response.status === 503) {
      const after = retryAfterMs(response.headers.get('retry-after'));
      // Up to half again on top of Retry-After, so clients told the same time do not return together.
      const delayMs = after === null ? this.nextBackoff() : Math.round(after * (1 + 0.5 * this.random()));
      this.log.debug({ managementPoint: this.urls[this.current], retryInMs: delayMs }, 'management point busy; messages stay spooled');
      return this.failedHere(delayMs);
    }
    const delayMs = this.nextBackoff();
    this.log.warn(
      { status: response.status, managementPoint: this.urls[this.current], retryInMs: delayMs },
      'management point did not take the batch; retrying',
    );
    return this.failedHere(delayMs);
  }

  /**
   * A request's body: the head, the files' messages and the tail. A request of one held file is
   * sent from the file's own memory, the head written into the room before its messages (over
   * bytes of the file's own head, which were on disk already); others are copied into one buffer.
   */
  private requestBody(files: readonly string[], firstSending: boolean, parts: readonly Buffer[]): Buffer<ArrayBuffer> {
    const head = this.requestHeads[firstSending ? 'true' : 'false'];
    const held = files.length === 1 ? this.held.get(files[0]) : undefined;
    if (!held) return Buffer.concat([head, ...parts, BODY_TAIL]);
    const start = held.room + SPOOL_HEAD.length - head.length;
    head.copy(held.bytes, start);
    return held.bytes.subarray(start);
  }

  private answeredHere() {
    this.failuresHere = 0;
    this.roundStart = this.current;
  }

  /** One more failure in a row at the current management point; enough of them move the batch to the next. */
  private failedHere(delayMs: number): { outcome: SendOutcome; delayMs: number } {
    if (this.urls.length === 1 || ++this.failuresHere < this.options.attemptsPerManagementPoint) return { outcome: 'retry', delayMs };
    const from = this.urls[this.current];
    this.current = (this.current + 1) % this.urls.length;
    this.failuresHere = 0;
    this.log.info({ from, to: this.urls[this.current] }, 'failing over to the next management point');
    // A management point not yet tried in this round is tried at once; once every one failed, the backoff applies.
    return { outcome: 'failed-over', delayMs: this.current === this.roundStart ? delayMs : 0 };
  }

  private nextBackoff(): number {
    return backoffMs({ attempt: this.attempt++, initialMs: this.options.initialBackoffMs, maxMs: this.options.maxBackoffMs, random: this.random });
  }

  /** Too large: send files one at a time, and split a file that is too large on its own. */
  private async shrink(files: string[]): Promise<{ outcome: SendOutcome; delayMs: number }> {
    if (files.length > 1) {
      this.oneFilePerRequest = true;
      return { outcome: 'split', delayMs: 0 };
    }
    const messages = (await this.readSpoolFile(files[0])) ?? [];
    if (messages.length <= 1) {
      this.log.warn({ uid: messages[0]?.uid }, 'a status message is too large for the management point; set aside');
      await this.deadLetter(files);
      return { outcome: 'dead-lettered', delayMs: 0 };
    }
    // The original's name without its count keeps the halves in its place in the order.
    const base = files[0].replace(/-n\d+\.batch\.json$/, '');
    const half = Math.ceil(messages.length / 2);
    await this.writeSpoolFile(spoolBytes(messages.slice(0, half), this.headRoom), `${base}-a`);
    await this.writeSpoolFile(spoolBytes(messages.slice(half), this.headRoom), `${base}-b`);
    await this.removeFiles(files);
    this.oneFilePerRequest = true;
    return { outcome: 'split', delayMs: 0 };
  }
}

/** A reporter for a client agent or site system; call `start()` to send in the background. */
export function createStatusReporter(options: StatusReporterOptions): StatusReporter {
  return new StatusReporter(options);
}
