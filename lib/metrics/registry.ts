import { readdir } from 'node:fs/promises';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

// On globalThis: Next.js bundles each route separately, and every bundle must count into the
// same registry as the code that server.ts loads.
const holder = globalThis as unknown as { siteboxMetrics?: Registry };

/**
 * process_open_fds as prom-client counts it, but read off the event loop: its default lists
 * /proc/self/fd with readdirSync, and at a management point's 12,500 sockets each heartbeat's
 * read held the event loop for tens of milliseconds (hundreds while sockets were closing). The
 * count matters there, against the per-process file limit (process_max_fds).
 */
function openFileDescriptors(registry: Registry): void {
  registry.removeSingleMetric('process_open_fds');
  if (process.platform !== 'linux') return;
  new Gauge({
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
    registers: [registry],
    async collect() {
      try {
        // Minus the descriptor the listing itself held open.
        this.set((await readdir('/proc/self/fd')).length - 1);
      } catch {
        // Not readable here: the gauge keeps its last value.
      }
    },
  });
}

/** This process's Prometheus registry, with Node's default process metrics (CPU, memory, event loop, GC). */
export function processMetrics(): Registry {
  if (!holder.siteboxMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    // Live handles as JavaScript objects, one per socket: at a management point's 25,000
    // connections each read held its event loop for tens of milliseconds. nodejs_active_resources
    // counts the same by type without them.
    registry.removeSingleMetric('nodejs_active_handles');
    registry.removeSingleMetric('nodejs_active_handles_total');
    openFileDescriptors(registry);
    holder.siteboxMetrics = registry;
  }
  return holder.siteboxMetrics;
}

/**
 * The metric of this process registered under `name`, created by `create` the first time. A
 * module bundled twice (by Next.js and by server.ts) then shares one metric instead of throwing
 * on the second registration.
 */
export function processMetric<T>(name: string, create: (registers: Registry[]) => T): T {
  return (processMetrics().getSingleMetric(name) as T | undefined) ?? create([processMetrics()]);
}
