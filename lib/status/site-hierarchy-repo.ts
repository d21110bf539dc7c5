import type pg from 'pg';

export async function readSite(db: pg.Pool | pg.ClientBase, code: string): Promise<{ name: string } | null> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM site WHERE code = $1`, [code]);
  return rows[0] ?? null;
}

/** A child site as this site knows it: from its replicated messages and from what it reports of its link. */
export interface ChildSiteRow {
  code: string;
  name: string | null;
  lastMessageAt: Date | null;
  lastHour: { errors: number; warnings: number; informational: number };
  /** The child's last link report (POST /api/mp/child-site-link), if it sent one. */
  link: { backlog: { HIGH: number; MEDIUM: number; LOW: number }; consecutiveFailures: number; oldestQueuedAt: Date | null; reportedAt: Date } | null;
}

/**
 * Sites other than `ownCode` whose messages arrived in the last two days (from the per-minute
 * rates, kept two days: when the last came, and the last hour's counts by severity), or that
 * reported their link to this site.
 */
export async function readChildSites(db: pg.Pool | pg.ClientBase, ownCode: string): Promise<ChildSiteRow[]> {
  const { rows } = await db.query<{
    code: string;
    name: string | null;
    last: Date | null;
    errors: number;
    warnings: number;
    informational: number;
    backlog_high: number | null;
    backlog_medium: number | null;
    backlog_low: number | null;
    consecutive_failures: number | null;
    oldest_queued_at: Date | null;
    reported_at: Date | null;
  }>(
    `WITH rates AS (
       SELECT r.site_code AS code, max(r.minute_start) AS last,
              coalesce(sum(r.count) FILTER (WHERE r.severity = 'ERROR' AND r.minute_start > now() - interval '1 hour'), 0)::int AS errors,
              coalesce(sum(r.count) FILTER (WHERE r.severity = 'WARNING' AND r.minute_start > now() - interval '1 hour'), 0)::int AS warnings,
              coalesce(sum(r.count) FILTER (WHERE r.severity = 'INFORMATIONAL' AND r.minute_start > now() - interval '1 hour'), 0)::int AS informational
         FROM status_rate_minute r
        WHERE r.site_code <> $1 AND r.count > 0
        GROUP BY r.site_code)
     SELECT coalesce(r.code, l.site_code) AS code, s.name, r.last,
            coalesce(r.errors, 0) AS errors, coalesce(r.warnings, 0) AS warnings, coalesce(r.informational, 0) AS informational,
            l.backlog_high, l.backlog_medium, l.backlog_low, l.consecutive_failures, l.oldest_queued_at, l.reported_at
       FROM rates r
       FULL JOIN (SELECT * FROM child_site_link WHERE site_code <> $1) l ON l.site_code = r.code
       LEFT JOIN site s ON s.code = coalesce(r.code, l.site_code)
      ORDER BY 1`,
    [ownCode],
  );
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    lastMessageAt: r.last,
    lastHour: { errors: r.errors, warnings: r.warnings, informational: r.informational },
    link: r.reported_at
      ? {
          backlog: { HIGH: r.backlog_high ?? 0, MEDIUM: r.backlog_medium ?? 0, LOW: r.backlog_low ?? 0 },
          consecutiveFailures: r.consecutive_failures ?? 0,
          oldestQueuedAt: r.oldest_queued_at,
          reportedAt: r.reported_at,
        }
      : null,
  }));
}
