import type pg from 'pg';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { readWorkerMetrics } from '../workers/heartbeat-repo';
import { processMetrics } from './registry';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Labels each of a worker's series with the worker and its host, so processes never add up. */
function labelled(metrics: MetricsJson, labels: Record<string, string>): MetricsJson {
  return metrics.map((metric) => ({ ...metric, values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, ...labels } })) }));
}

/**
 * One Prometheus scrape for the site: this process's registry (unlabelled), the `sources` the
 * caller builds for the scrape (site-wide figures read from the database), and the snapshot each
 * live worker wrote at its last heartbeat, labelled `worker` and `host`.
 */
export async function renderMetrics(options: { db: pg.Pool; heartbeatSeconds: number; sources?: Registry[] }) {
  const [own, sources, workers] = await Promise.all([
    processMetrics().getMetricsAsJSON(),
    Promise.all((options.sources ?? []).map((registry) => registry.getMetricsAsJSON())),
    readWorkerMetrics({ db: options.db, heartbeatSeconds: options.heartbeatSeconds }),
  ]);
  const merged = AggregatorRegistry.aggregate([
    own,
    ...sources,
    ...workers.map((worker) => labelled(worker.metrics as MetricsJson, { worker: worker.name, host: worker.host })),
  ]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
