import { describe, expect, it } from 'vitest';
import { filterChips } from '@/components/status-messages/status-message-filter-summary';
import type { StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';

const systemQuery: StatusMessageQueryView = {
  id: 'builtin:system',
  name: 'All Status Messages from a Specific System',
  description: '',
  builtIn: true,
  criteria: { system: { prompt: 'System name' } },
  prompts: [{ field: 'system', label: 'System name' }],
  createdBy: null,
};

const chips = (search: string, queries?: StatusMessageQueryView[]) => filterChips(new URLSearchParams(search), queries);

describe('filterChips', () => {
  it('names nothing when no filter is set', () => {
    expect(chips('')).toEqual([]);
  });

  it('names a time range, severities and text filters in the words of the form', () => {
    expect(chips('component=SMS_STATUS_MANAGER&severity=ERROR,WARNING&range=24h&type=AUDIT&source=SERVER&site=S01&messageId=502')).toEqual([
      'Last 24 hours',
      'Severity: Error, Warning',
      'Type: Audit',
      'Source: Server',
      'Site: S01',
      'Component: SMS_STATUS_MANAGER',
      'Message ID: 502',
    ]);
  });

  it('names a property match with whichever half is given', () => {
    expect(chips('propertyName=PackageID&propertyValue=S0100001')).toEqual(['Property: PackageID = S0100001']);
    expect(chips('propertyValue=S0100001')).toEqual(['Property: any = S0100001']);
  });

  it('names a query by its name with its answered prompts, before the own filters', () => {
    expect(chips('severity=ERROR&query=builtin:system&prompt.system=WKS0007', [systemQuery])).toEqual([
      'Query: All Status Messages from a Specific System',
      'System name: WKS0007',
      'Severity: Error',
    ]);
    // Until the queries are loaded, the query is named by its id.
    expect(chips('query=builtin:system')).toEqual(['Query: builtin:system']);
  });

  it('shows a custom range in local time, naming the zone', () => {
    const from = new Date(2026, 10, 23, 9, 5, 0).toISOString();
    const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(new Date(from))
      .find((p) => p.type === 'timeZoneName')!.value;
    expect(zone).not.toBe('');
    expect(chips(`from=${encodeURIComponent(from)}`)).toEqual([`From 2026-11-23 09:05:00 ${zone}`]);
  });
});
