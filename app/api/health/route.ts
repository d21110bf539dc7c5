import { NextResponse } from 'next/server';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { checkHealth } from '@/lib/health/check-health';
import { runtime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

/** Liveness for load balancers and monitoring: 200 when ok or degraded, 503 when down. */
export async function GET() {
  const report = await checkHealth({
    db: pool(),
    heartbeatSeconds: config().SITEBOX_WORKER_HEARTBEAT_SECONDS,
    supervised: runtime().supervisorStatus?.() ?? [],
  });
  return NextResponse.json(report, {
    status: report.status === 'down' ? 503 : 200,
    headers: { 'Cache-Control': 'no-store' },
  });
}
