// The viewer's pages read the way the filters let them be read from an index (each severity on
// its own and merged; a system, component or message ID as a range of one value, its column
// first in the order): the same pages, in the same order, as one filter over every message.
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
     SELECT gen_random_uuid(), 10900 + i % 5, ($1::severity[])[1 + (i * 7) % 3], 'MILESTONE', 'CLIENT', 'S01', 'WKS000' || (i % 3),
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

describe('selectStatusMessagePage by system, component or message ID', () => {
  it.each([
    { component: 'Inventory Agent' },
    { system: 'WKS0002' },
    { messageId: 10903 },
    { messageId: 10900, component: 'Software Metering Agent', system: 'WKS0001' },
    { component: 'Software Metering Agent', severity: ['ERROR', 'WARNING'] as const },
    { system: 'WKS0001', severity: ['WARNING'] as const },
  ])('pages through %j as one filter would, in order, each message once', async (filters) => {
    const severity = 'severity' in filters ? (filters.severity as readonly StatusMessageRow['severity'][]) : undefined;
    const query = { ...filters, severity: severity && [...severity] } as StatusMessageFilters;
    const pages = await allPages(query, 2);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    const want = await expected(
      (r) =>
        (!query.severity || query.severity.includes(r.severity as never)) &&
        (!query.component || r.component === query.component) &&
        (!query.system || r.system_name === query.system) &&
        (query.messageId === undefined || r.message_id === query.messageId),
    );
    expect(want.length).toBeGreaterThan(2);
    expect(pages.flat().map((r) => String(r.id))).toEqual(want);
  });

  it('matches a value exactly, not a prefix or a neighbour', async () => {
    expect(await selectStatusMessagePage(pool(), { filters: { component: 'Inventory' }, limit: 10 })).toEqual([]);
    expect(await selectStatusMessagePage(pool(), { filters: { system: 'WKS000' }, limit: 10 })).toEqual([]);
    expect(await selectStatusMessagePage(pool(), { filters: { messageId: 10905 }, limit: 10 })).toEqual([]);
  });
});

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
