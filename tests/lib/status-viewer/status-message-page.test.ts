// The viewer's pages filtered by severity: each severity read on its own and merged gives the
// same pages, in the same order, as one filter over every message would.
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { selectStatusMessagePage, type StatusMessageRow } from '@/lib/status-viewer/status-message-repo';
import type { StatusMessageFilters } from '@/lib/status-viewer/status-message-filters.schema';
import { useTestDatabase } from '../../support/database';

const SEVERITIES = ['INFORMATIONAL', 'WARNING', 'ERROR'] as const;
const base = Date.parse('2026-11-30T12:00:00Z');

beforeAll(async () => {
  await useTestDatabase();
  // 60 messages: severities and components interleaved, several at the same instant (ties broken by id).
  await pool().query(
    `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at, insertion_strings, expires_at)
     SELECT gen_random_uuid(), 10907, ($1::severity[])[1 + (i * 7) % 3], 'MILESTONE', 'CLIENT', 'S01', 'WKS0001',
            CASE WHEN i % 4 = 0 THEN 'Inventory Agent' ELSE 'Software Metering Agent' END,
            $2::timestamptz, $2::timestamptz + (i / 3) * interval '1 second', '{}', now() + interval '7 days'
       FROM generate_series(1, 60) AS i`,
    [SEVERITIES, new Date(base).toISOString()],
  );
});

/** Every page of `filters`, `limit` rows at a time, as the viewer pages with its cursor. */
async function allPages(filters: StatusMessageFilters, limit: number): Promise<StatusMessageRow[][]> {
  const pages: StatusMessageRow[][] = [];
  let cursor: { receivedAt: string; id: string } | undefined;
  for (;;) {
    const page = await selectStatusMessagePage(pool(), { filters, cursor, limit });
    if (!page.length) return pages;
    pages.push(page);
    const last = page.at(-1)!;
    cursor = { receivedAt: last.received_at.toISOString(), id: String(last.id) };
  }
}

async function expected(where: (r: StatusMessageRow) => boolean): Promise<string[]> {
  const { rows } = await pool().query<StatusMessageRow>(`SELECT * FROM status_message ORDER BY received_at DESC, id DESC`);
  return rows.filter(where).map((r) => String(r.id));
}

describe('selectStatusMessagePage by severity', () => {
  it.each([
    { severity: ['ERROR'] as const },
    { severity: ['ERROR', 'WARNING'] as const },
    { severity: ['WARNING', 'ERROR', 'WARNING'] as const },
    { severity: ['INFORMATIONAL', 'WARNING', 'ERROR'] as const },
    { severity: ['ERROR', 'INFORMATIONAL'] as const, component: 'Software Metering Agent' },
  ])('pages through %j as one filter would, in order, each message once', async (filters) => {
    const pages = await allPages({ ...filters, severity: [...filters.severity] }, 7);
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    const want = await expected(
      (r) => (filters.severity as readonly string[]).includes(r.severity) && (!filters.component || r.component === filters.component),
    );
    expect(want.length).toBeGreaterThan(7);
    expect(pages.flat().map((r) => String(r.id))).toEqual(want);
  });

  it('finds nothing for an empty list of severities, and everything without the filter', async () => {
    expect(await selectStatusMessagePage(pool(), { filters: { severity: [] }, limit: 10 })).toEqual([]);
    expect((await allPages({}, 25)).flat()).toHaveLength(60);
  });
});
