import { AppError } from '../errors';
import { ingestCounters } from '../status/counters';
import { processSingleton } from '../process-singleton';

export interface IngestGateOptions {
  /** Batches parsed and validated at once. */
  maxRunning: number;
  /** Requests waiting for their turn; beyond them, 503 at once. */
  maxWaiting: number;
  /** The Retry-After of that 503. */
  retryAfterSeconds: number;
}

/**
 * Admission for ingest requests: a few are parsed and validated at a time, the rest wait
 * before their body is read (costing the event loop nothing), so console requests served by
 * the same process never queue behind hundreds of batches. Beyond `maxWaiting`, 503 at once.
 */
export class IngestGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: IngestGateOptions) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.maxRunning) {
      if (this.waiting.length >= this.options.maxWaiting) {
        ingestCounters().requests.throttled++;
        throw new AppError('UNAVAILABLE', {
          message: 'too many ingest requests waiting',
          userMessage: 'The management point is busy; retry later.',
          retryAfterSeconds: this.options.retryAfterSeconds,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * The process's gate for these options: requests asking with the same options share one
 * admission. Other options (ingest threads started later, a changed Retry-After) get a gate
 * that keeps them, instead of the first caller's.
 */
export function ingestGate(options: IngestGateOptions): IngestGate {
  const gates = processSingleton('ingestGates', () => new Map<string, IngestGate>());
  const key = `${options.maxRunning}/${options.maxWaiting}/${options.retryAfterSeconds}`;
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new IngestGate(options)));
  return gate;
}
