import type { StatusIngestThreads } from './status/ingest-threads';
import type { SupervisedState } from './workers/supervisor';

/**
 * Handles that server.ts creates and route handlers need. Next bundles route code
 * separately from server.ts, so they meet on globalThis rather than in a module variable.
 */
interface Runtime {
  supervisorStatus?: () => SupervisedState[];
  /** Threads that parse, validate and store ingested status message batches. */
  statusIngest?: StatusIngestThreads;
  /** This management point's notification server (client notification channel). */
  notificationServer?: { instanceId: string; probe(probe: { probeId: string; sentAt: number }): number; connectedDeviceIds(): number[] };
}

const holder = globalThis as unknown as { siteboxRuntime?: Runtime };

export function runtime(): Runtime {
  holder.siteboxRuntime ??= {};
  return holder.siteboxRuntime;
}
