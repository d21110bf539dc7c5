import type pg from 'pg';

export async function readSite(db: pg.Pool | pg.ClientBase, code: string): Promise<{ name: string } | null> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM site WHERE code = $1`, [code]);
  return rows[0] ?? null;
}

/**
 * Sites other than `ownCode` whose messages arrived in the last two days, from the per-minute
 * rates (kept two days): when the last came, and the last hour's counts by severity.
 */
export async function readChildSites(
  db: pg.Pool | pg.ClientBase,
  ownCode: string,
): Promise<{ code: string; name: string | null; lastMessageAt: Date; lastHour: { errors: number; warnings: number; informational: number } }[]> {
  const { rows } = await db.query<{ code: string; name: string | null; last: Date; errors: number; warnings: number; informational: number }>(
    `SELECT r.site_code AS code, s.name, max(r.minute_start) AS last,
            coalesce(sum(r.count) FILTER (WHERE r.severity = 'ERROR' AND r.minute_start > now() - interval '1 hour'), 0)::int AS errors,
            coalesce(sum(r.count) FILTER (WHERE r.severity = 'WARNING' AND r.minute_start > now() - interval '1 hour'), 0)::int AS warnings,
            coalesce(sum(r.count) FILTER (WHERE r.severity = 'INFORMATIONAL' AND r.minute_start > now() - interval '1 hour'), 0)::int AS informational
       FROM status_rate_minute r LEFT JOIN site s ON s.code = r.site_code
      WHERE r.site_code <> $1 AND r.count > 0
      GROUP BY r.site_code, s.name ORDER BY r.site_code`,
    [ownCode],
  );
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    lastMessageAt: r.last,
    lastHour: { errors: r.errors, warnings: r.warnings, informational: r.informational },
  }));
}
