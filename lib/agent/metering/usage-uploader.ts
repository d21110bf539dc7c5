import type http from 'node:http';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { backoffMs } from '../../retry-delay';
import { MAX_METERING_USAGE_RUNS, type MeteringUsageRun } from '../../protocol/metering-usage.schema';
import type { AgentLog } from '../agent-log';
import { httpRequest } from '../http';
import type { TlsTrust } from '../tls-pin';
import { writeFileAtomic } from '../write-file-atomic';

export interface UsageUploaderOptions {
  spoolDir: string;
  /** Management points, preferred first: a network error or a 5xx moves on to the next. */
  managementPointUrls: string[];
  authorization: string;
  httpAgent?: http.Agent;
  tls?: TlsTrust;
  log: AgentLog;
  requestTimeoutMs?: number;
}

/** The ending of a spooled run's file name (sitebox-agent status counts them too). */
export const USAGE_FILE_SUFFIX = '.usage.json';
/** One file per run, named by its usage key: spooling a run again (a crash between spool and state) overwrites it. */
const fileOf = (run: MeteringUsageRun) => `${run.usageKey.replace(/[^A-Za-z0-9-]/g, '_')}${USAGE_FILE_SUFFIX}`;

/** How one upload attempt ended: the spool is empty, or what is left waits for a retry. */
export type UploadOutcome = 'empty' | 'retry';

/**
 * The metering usage spool and its upload: each finished run is written to its own file before
 * anything else happens to it, and leaves the folder only once a management point answered 2xx
 * for a batch holding it. A 400 naming a run (`usage.N.field`) drops that run, logged, and the
 * rest go again at once; a refusal naming no run is narrowed down by sending one run at a time.
 * A network error, a 5xx or any other answer keeps the spool for a later try.
 */
export class MeteringUsageUploader {
  private ready: Promise<void> | null = null;

  constructor(private readonly options: UsageUploaderOptions) {}

  /** Writes finished runs to the spool; resolves once they are on disk. */
  async spool(runs: MeteringUsageRun[]): Promise<void> {
    // Made at every spool, not once: the folder may have been deleted under the running agent.
    await mkdir(this.options.spoolDir, { recursive: true, mode: 0o700 });
    for (const run of runs) await writeFileAtomic(path.join(this.options.spoolDir, fileOf(run)), JSON.stringify(run));
  }

  /** Runs waiting in the spool (file names). */
  async pending(): Promise<string[]> {
    await this.prepare();
    return (await readdir(this.options.spoolDir)).filter((name) => name.endsWith(USAGE_FILE_SUFFIX)).sort();
  }

  /** Sends the whole spool in batches; 'retry' when a batch could not be delivered (what is left stays). */
  async upload(signal?: AbortSignal): Promise<UploadOutcome> {
    let oneAtATime = false;
    for (;;) {
      if (signal?.aborted) return 'retry';
      const files = (await this.pending()).slice(0, oneAtATime ? 1 : MAX_METERING_USAGE_RUNS);
      if (!files.length) return 'empty';
      const batch = await this.read(files);
      if (!batch.length) continue;
      const answer = await this.post(
        batch.map((b) => b.run),
        signal,
      );
      if (answer === null) return 'retry';
      if (answer.status >= 200 && answer.status < 300) {
        for (const { file } of batch) await this.remove(file);
        this.options.log.info({ runs: batch.length, answer: answer.body.slice(0, 200) }, 'metering usage uploaded');
        continue;
      }
      if (answer.status === 400 || answer.status === 413 || answer.status === 422) {
        const message = errorMessage(answer.body);
        const index = /^usage\.(\d+)\./.exec(message ?? '');
        const culprit = index ? batch[Number(index[1])] : batch.length === 1 ? batch[0] : undefined;
        if (culprit) {
          // Sent again it would be refused again: one bad run must not hold the spool forever.
          await this.remove(culprit.file);
          this.options.log.warn({ status: answer.status, message, run: culprit.run }, 'the management point refused a metering usage run; dropped');
        } else oneAtATime = true;
        continue;
      }
      this.options.log.warn({ status: answer.status }, 'the management point did not take the metering usage; retrying later');
      return 'retry';
    }
  }

  private prepare(): Promise<void> {
    this.ready ??= mkdir(this.options.spoolDir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.ready;
  }

  /** The runs of `files`; a file that cannot be read as a run (a torn disk) is dropped, logged. */
  private async read(files: string[]): Promise<{ file: string; run: MeteringUsageRun }[]> {
    const batch: { file: string; run: MeteringUsageRun }[] = [];
    for (const file of files) {
      try {
        batch.push({ file, run: JSON.parse(await readFile(path.join(this.options.spoolDir, file), 'utf8')) as MeteringUsageRun });
      } catch (error) {
        this.options.log.warn({ file, err: error instanceof Error ? error.message : error }, 'unreadable metering usage spool file; dropped');
        await this.remove(file);
      }
    }
    return batch;
  }

  private remove(file: string) {
    return rm(path.join(this.options.spoolDir, file), { force: true });
  }

  /** Posts a batch to the first management point that answers below 500; null when none did. */
  private async post(usage: MeteringUsageRun[], signal?: AbortSignal) {
    for (const base of this.options.managementPointUrls) {
      try {
        const answer = await httpRequest({
          url: new URL('/api/mp/metering-usage', base).toString(),
          method: 'POST',
          headers: { authorization: this.options.authorization },
          body: JSON.stringify({ usage }),
          agent: this.options.httpAgent,
          tls: this.options.tls,
          timeoutMs: this.options.requestTimeoutMs ?? 60_000,
          signal,
        });
        if (answer.status < 500) return answer;
        this.options.log.debug({ url: base, status: answer.status }, 'management point did not take the metering usage; trying the next');
      } catch (error) {
        if (signal?.aborted) return null;
        this.options.log.debug({ url: base, err: error instanceof Error ? error.message : error }, 'management point unreachable; trying the next');
      }
    }
    return null;
  }
}

function errorMessage(text: string): string | null {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? message : null;
  } catch {
    return null;
  }
}

/** The wait before the next upload after `failures` failed ones in a row: the upload interval, or a shorter backoff while failing. */
export function nextUploadDelayMs(options: { uploadMinutes: number; failures: number; random?: () => number }): number {
  const interval = options.uploadMinutes * 60_000;
  if (!options.failures) return interval;
  return Math.min(interval, backoffMs({ attempt: options.failures - 1, initialMs: 15_000, maxMs: 30 * 60_000, random: options.random }));
}
