import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideAcceptance } from '@/lib/inventory/decide-acceptance';
import { parseInventoryReport } from '@/lib/inventory/parse-inventory-report';
import { inventoryReportSchema, MAX_SOFTWARE_ROWS } from '@/lib/protocol/inventory.schema';

const full = (packages: unknown[]) => ({
  kind: 'full',
  reportId: randomUUID(),
  deviceId: 7,
  version: 3,
  collectedAt: '2026-12-01T10:00:00Z',
  hardware: { system: [{ manufacturer: 'Contoso' }] },
  software: { source: 'dpkg', packages },
  extra: 'dropped',
});
const delta = (added: unknown[], removed: unknown[]) => ({
  kind: 'delta',
  reportId: randomUUID(),
  deviceId: 7,
  version: 4,
  baseVersion: 3,
  collectedAt: '2026-12-01T10:00:00Z',
  software: { source: 'rpm', added, removed },
});

/** The fast parser must agree with the schema on every input: the same value, or the same first issue. */
function agree(input: unknown) {
  const expected = inventoryReportSchema.safeParse(input);
  let actual: unknown;
  try {
    actual = { success: true, data: parseInventoryReport(input) };
  } catch (error) {
    actual = { success: false, issue: (error as { issues: unknown[] }).issues[0] };
  }
  expect(actual).toEqual(expected.success ? { success: true, data: expected.data } : { success: false, issue: expected.error.issues[0] });
}

describe('parseInventoryReport', () => {
  const good = ['bash', '5.2-1', 'amd64', '2024-01-31'];
  const rows: unknown[] = [
    good,
    ['bash', '', '', null],
    ['', '1', 'amd64', null],
    ['bash', '1', 'amd64'],
    ['bash', '1', 'amd64', null, 'extra'],
    ['bash', 1, 'amd64', null],
    ['bash', '1', 'a'.repeat(33), null],
    ['n'.repeat(257), '1', 'amd64', null],
    ['bash\u0000', '1', 'amd64', null],
    ['bash\uD800', '1', 'amd64', null],
    ['bash\uD83D\uDE00', '1', 'amd64', null],
    ['bash', '1', 'amd64', '2024-02-30'],
    ['bash', '1', 'amd64', '2024-2-3'],
    ['bash', '1', 'amd64', '0000-01-01'],
    ['bash', '1', 'amd64', 20240101],
    'bash',
    null,
  ];

  it('agrees with the schema on every kind of package row, in full reports and deltas', () => {
    for (const row of rows) {
      agree(full([good, row]));
      agree(delta([row], []));
      agree(delta([], [Array.isArray(row) ? row.slice(0, 3) : row]));
    }
    agree(delta([], [['bash', '1', 'amd64', null]]));
    agree(full(Array.from({ length: MAX_SOFTWARE_ROWS + 1 }, () => good)));
    agree({ ...full([good]), deviceId: 0 });
    agree({ ...delta([good], []), baseVersion: 9 });
    agree({ ...delta([good], []), software: undefined });
    agree({ ...full([good]), software: { source: 'dpkg' } });
    agree({ ...full([good]), kind: 'other' });
  });

  it('keeps the rows as sent and drops unknown fields', () => {
    const report = parseInventoryReport(full([good]));
    expect(report).not.toHaveProperty('extra');
    expect(report.kind === 'full' && report.software.packages).toEqual([good]);
  });
});

describe('decideAcceptance', () => {
  const report = inventoryReportSchema.parse(delta([], []));
  const holding = { loadedVersion: 3, resync: false, pendingVersion: null, duplicateVersion: null };

  it('answers a resend as a duplicate, takes a delta on the held version and refuses others', () => {
    expect(decideAcceptance(report, { ...holding, duplicateVersion: 4 })).toEqual({ store: false, answer: { status: 'duplicate', version: 4 } });
    expect(decideAcceptance(report, holding)).toEqual({ store: true, answer: { status: 'accepted', version: 4 } });
    expect(decideAcceptance(report, { ...holding, pendingVersion: 5 }).answer).toMatchObject({ status: 'resync', siteVersion: 5 });
    expect(decideAcceptance(report, { ...holding, loadedVersion: 1, pendingVersion: 3 }).store).toBe(true);
    expect(decideAcceptance(report, { ...holding, resync: true }).answer).toMatchObject({ status: 'resync', siteVersion: 3 });
    const fullReport = inventoryReportSchema.parse(full([]));
    expect(decideAcceptance(fullReport, { ...holding, resync: true, loadedVersion: 9 })).toEqual({
      store: true,
      answer: { status: 'accepted', version: 3 },
    });
  });
});
