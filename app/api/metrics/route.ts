import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { ingestThreads } from '@/lib/ingest/5-ingest-threads';
import { renderStatusMetrics } from '@/lib/status/metrics';

export const dynamic = 'force-dynamic';

/** Prometheus metrics (text format 0.0.4). Open like /api/health, for scrapers on the network. */
export const GET = route({ auth: 'none' }, async () => {
  const body = await renderStatusMetrics({ db: pool(), ingestThreads: ingestThreads()?.stats() });
  return new Response(body, {
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
  });
});
