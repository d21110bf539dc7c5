import { describe, expect, it } from 'vitest';
import { matchesStatusMessageFilters } from '@/lib/status-viewer/match-status-message';
import { statusMessageFiltersSchema, type StatusMessageView } from '@/lib/status-viewer/status-message-filters.schema';

const message: StatusMessageView = {
  id: '7',
  uid: '00000000-0000-4000-8000-000000000007',
  messageId: 10907,
  severity: 'WARNING',
  type: 'DETAIL',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName: 'WKS0001',
  component: 'SMS_SOFTWARE_METERING_AGENT',
  sourceTime: '2026-11-23T08:00:00.000Z',
  receivedAt: '2026-11-23T08:00:01.000Z',
  processId: 1,
  threadId: 2,
  insertionStrings: [],
  properties: { PackageID: 'S0100003' },
  expiresAt: '2026-11-24T08:00:01.000Z',
  description: '',
};
const matches = (filters: Record<string, unknown>) => matchesStatusMessageFilters(message, statusMessageFiltersSchema.parse(filters));

describe('matchesStatusMessageFilters', () => {
  it('passes a message every filter allows', () => {
    expect(matches({})).toBe(true);
    expect(
      matches({
        from: '2026-11-23T08:00:01.000Z',
        to: '2026-11-23T08:00:02.000Z',
        severity: 'ERROR,WARNING',
        type: 'DETAIL',
        source: 'CLIENT',
        component: 'SMS_SOFTWARE_METERING_AGENT',
        system: 'WKS0001',
        site: 'S01',
        messageId: '10907',
        propertyName: 'PackageID',
        propertyValue: 'S0100003',
      }),
    ).toBe(true);
    expect(matches({ propertyName: 'PackageID' })).toBe(true);
  });

  it('refuses a message any one filter excludes, as the list query does', () => {
    expect(matches({ from: '2026-11-23T08:00:01.001Z' })).toBe(false);
    expect(matches({ to: '2026-11-23T08:00:01.000Z' })).toBe(false);
    const later = Date.parse('2026-11-23T09:00:01.001Z');
    expect(matchesStatusMessageFilters(message, statusMessageFiltersSchema.parse({ range: '1h' }), later)).toBe(false);
    expect(matchesStatusMessageFilters(message, statusMessageFiltersSchema.parse({ range: '24h' }), later)).toBe(true);
    expect(matches({ severity: 'ERROR' })).toBe(false);
    expect(matches({ type: 'AUDIT' })).toBe(false);
    expect(matches({ source: 'SERVER' })).toBe(false);
    expect(matches({ component: 'sms_software_metering_agent' })).toBe(false);
    expect(matches({ system: 'WKS0002' })).toBe(false);
    expect(matches({ site: 'S02' })).toBe(false);
    expect(matches({ messageId: '10908' })).toBe(false);
    expect(matches({ propertyName: 'AdvertisementID' })).toBe(false);
    expect(matches({ propertyName: 'PackageID', propertyValue: 'S0100004' })).toBe(false);
    expect(matches({ propertyName: 'toString' })).toBe(false);
  });
});
