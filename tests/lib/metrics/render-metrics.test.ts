import { Counter, Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { renderMetrics } from '@/lib/metrics/render-metrics';
import { processMetric } from '@/lib/metrics/registry';
import { beat, markStopped } from '@/lib/workers/heartbeat-repo';
import { useTestDatabase } from '../../support/database';

/** A worker's registry as its heartbeat writes it. */
async function workerSnapshot(batches: number) {
  const registry = new Registry();
  new Counter({ name: 'sitebox_status_manager_batches_processed_total', help: 'batches', registers: [registry] }).inc(batches);
  return registry.getMetricsAsJSON();
}

describe('renderMetrics', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it("merges this process's registry, the scrape's own sources and each live worker's snapshot, labelled by worker", async () => {
    const db = pool();
    processMetric('sitebox_test_own_total', (registers) => new Counter({ name: 'sitebox_test_own_total', help: 'own', registers })).inc(2);
    const site = new Registry();
    new Counter({ name: 'sitebox_test_site_total', help: 'site', registers: [site] }).inc(5);
    await beat({ db, name: 'status-manager', startedAt: new Date(), metrics: await workerSnapshot(3) });

    const { body, contentType } = await renderMetrics({ db, heartbeatSeconds: 60, sources: [site] });
    expect(contentType).toContain('text/plain');
    expect(body).toMatch(/^sitebox_test_own_total 2$/m);
    expect(body).toMatch(/^sitebox_test_site_total 5$/m);
    expect(body).toMatch(/^sitebox_status_manager_batches_processed_total\{worker="status-manager",host="[^"]+"\} 3$/m);
    // Node's default process metrics of this process.
    expect(body).toMatch(/^process_resident_memory_bytes \d+$/m);

    // A worker that said it stopped leaves the scrape.
    await markStopped({ db, name: 'status-manager' });
    expect((await renderMetrics({ db, heartbeatSeconds: 60 })).body).not.toContain('sitebox_status_manager_batches_processed_total');
  });
});
