import { collectDefaultMetrics, Registry } from 'prom-client';

// On globalThis: Next.js bundles each route separately, and every bundle must count into the
// same registry as the code that server.ts loads.
const holder = globalThis as unknown as { siteboxMetrics?: Registry };

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
