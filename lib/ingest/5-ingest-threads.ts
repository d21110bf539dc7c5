import Piscina from 'piscina';
import { entryPoint } from '../entry-points';
import { AppError, type ErrorCode } from '../errors';
import type { StatusSender } from './4-authenticate-status-sender';
import type { IngestResult } from '../protocol/status-batch.schema';
import { processSlot } from '../process-singleton';

/** What an ingest thread answers: the result, or the AppError it threw, as plain data. */
export type IngestThreadAnswer = { ok: true; result: IngestResult } | { ok: false; code: ErrorCode; userMessage: string; details?: unknown };

// Batches one thread works on at once: while one waits for its inbox insert, the next is parsed.
const BATCHES_PER_THREAD = 8;

/**
 * The management point's ingest threads. Parsing, validating and re-serialising a flood of
 * batches would otherwise occupy the event loop that also serves the console and the
 * notification channel; here the event loop reads a body and hands its bytes over (moved, not
 * copied), and a thread answers with what was accepted.
 */
export class StatusIngestThreads {
  private readonly pool: Piscina;

  constructor(options: { connectionString: string; threads: number }) {
    // Threads run the compiled build or the TypeScript sources, as the server does.
    const thread = entryPoint('lib/ingest/5-ingest-thread.ts');
    this.pool = new Piscina({
      filename: thread.file,
      execArgv: thread.execArgv,
      // Started by the first batch and ended after a quiet minute: an idle site holds no thread
      // (each is a Node.js runtime of its own, ~35 MB); a flood's first batch waits for one to start.
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: BATCHES_PER_THREAD,
      // Batches are background work: the event loop (console, notification channel) goes first.
      niceIncrement: 5,
      // A batch's objects live until its insert commits; room for them to die young.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
      workerData: { connectionString: options.connectionString, connections: BATCHES_PER_THREAD },
    });
  }

  /** Batches accepted at once across the threads. */
  get capacity(): number {
    return this.pool.options.maxThreads * BATCHES_PER_THREAD;
  }

  /** For /api/metrics: threads, batches waiting for one, and how busy they have been. */
  stats(): { threads: number; queued: number; utilization: number } {
    return { threads: this.pool.threads.length, queued: this.pool.queueSize, utilization: this.pool.utilization };
  }

  /** Batches the threads have finished (accepted or refused) since they started. */
  get completed(): number {
    return this.pool.completed;
  }

  async ingest(body: Uint8Array, sender: StatusSender): Promise<IngestResult> {
    // Only a buffer that owns its whole memory can be moved (small ones share Node's pool).
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
    const answer: IngestThreadAnswer = await this.pool.run({ body: owned, sender }, { transferList: [owned.buffer as ArrayBuffer] });
    if (answer.ok) return answer.result;
    throw new AppError(answer.code, { userMessage: answer.userMessage, details: answer.details });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

// Next bundles route handlers apart from server.ts, so they meet in a process slot.
const threadsSlot = processSlot<StatusIngestThreads>('ingestThreads');

/** The ingest threads server.ts started in this process; none in tests or with SITEBOX_STATUS_INGEST_THREADS=0. */
export function ingestThreads(): StatusIngestThreads | undefined {
  return threadsSlot.get();
}

/** Hands the process's ingest requests to these threads (undefined: ingest on the event loop). */
export function useIngestThreads(threads: StatusIngestThreads | undefined): void {
  threadsSlot.set(threads);
}
