import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { ingestThreads } from '@/lib/ingest/5-ingest-threads';
import { renderMetrics } from '@/lib/metrics/render-metrics';
import { statusMetrics } from '@/lib/status/metrics';

export const dynamic = 'force-dynamic';

/** Prometheus metrics: this process's, the site's status figures and every live worker's. Open like /api/health, for scrapers. */
export const GET = route({ auth: 'none' }, async () => {
  const db = pool();
  const { body, contentType } = await renderMetrics({
    db,
    heartbeatSeconds: config().SITEBOX_WORKER_HEARTBEAT_SECONDS,
    sources: [await statusMetrics({ db, ingestThreads: ingestThreads()?.stats() })],
  });
  return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
});
