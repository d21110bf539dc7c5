import type pg from 'pg';
import type { z } from 'zod';
import type { childSiteLinkReportSchema } from '../protocol/child-site-link.schema';

/** Records the link report of child site `siteCode`, replacing the one before, and the name it reports. */
export async function recordChildSiteLink(
  db: pg.Pool | pg.ClientBase,
  siteCode: string,
  report: z.output<typeof childSiteLinkReportSchema>,
): Promise<void> {
  await db.query(
    `INSERT INTO child_site_link (site_code, backlog_high, backlog_medium, backlog_low, consecutive_failures, oldest_queued_at, reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (site_code) DO UPDATE SET backlog_high = $2, backlog_medium = $3, backlog_low = $4,
       consecutive_failures = $5, oldest_queued_at = $6, reported_at = now()`,
    [siteCode, report.backlog.HIGH, report.backlog.MEDIUM, report.backlog.LOW, report.consecutiveFailures, report.oldestQueuedAt],
  );
  if (report.siteName !== undefined) {
    await db.query(`UPDATE site SET name = $2, updated_at = now() WHERE code = $1 AND name <> $2`, [siteCode, report.siteName]);
  }
}
