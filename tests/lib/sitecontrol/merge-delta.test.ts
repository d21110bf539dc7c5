import { describe, expect, it } from 'vitest';
import { diffDocuments, fixedPaths, settingPaths } from '@/lib/sitecontrol/document-paths';
import { mergeDelta, type SerialRecord } from '@/lib/sitecontrol/merge-delta';
import { parseSerialName, serialName } from '@/lib/sitecontrol/serial-name';
import { settingChangesSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { defaultSiteSettings, readSettingsDocument } from '@/lib/sitecontrol/site-control.schema';
import { settingField, settingTabs } from '@/lib/sitecontrol/site-settings-fields';

const site = { code: 'S01', name: 'New York', timeZone: 'UTC', parentSiteCode: null };
const base = defaultSiteSettings(site);
const at = new Date('2026-11-23T08:00:00Z');
const record = (serial: number, path: string, before: unknown, after: unknown, changedBy = 'alice'): SerialRecord => ({
  serial,
  changedBy,
  changedAt: at,
  changes: [{ path, before, after }],
});

describe('site control document', () => {
  it('defaults every setting the issue names', () => {
    expect(base.components.notificationServer).toEqual({ port: 10123, keepAliveMinutes: 15, operationValidityMinutes: 60 });
    expect(base.components.hierarchyManager.cycleMinutes).toBe(60);
    expect(base.components.siteControlManager.heartbeatSchedule).toBe('0 0 * * *');
    expect(base.clientApproval.mode).toBe('automatic');
    expect(base.maintenance.deleteAgedStatusMessages).toMatchObject({ enabled: true, retentionDays: 30 });
    expect(base.maintenance.deleteAgedMeteringUsage).toEqual({ retentionDays: 90 });
  });

  it('reads an old or partial document with its defaults, never failing', () => {
    const read = readSettingsDocument({ clientApproval: { mode: 'manual' }, components: { notificationServer: { port: 'x' } } }, site);
    expect(read.clientApproval.mode).toBe('manual');
    expect(read.components.notificationServer.port).toBe(10123);
    expect(read.site).toEqual(site);
  });

  it('shows every setting in exactly one field of the property sheets', () => {
    const shown = settingTabs.flatMap((t) => t.groups.flatMap((g) => g.fields.map((f) => f.path)));
    expect([...shown].sort()).toEqual([...settingPaths].sort());
    expect(new Set(shown).size).toBe(shown.length);
    expect(settingTabs.map((t) => t.label)).toEqual(['General', 'Ports', 'Client Agents', 'Status Reporting', 'Maintenance']);
    expect(settingField('site.code')?.readOnly).toBe(true);
    expect(fixedPaths.has('site.code')).toBe(true);
  });
});

describe('serial names', () => {
  it('are 8 hexadecimal digits', () => {
    expect(serialName(10)).toBe('0000000A');
    expect(serialName(9)).toBe('00000009');
    expect(serialName(0x1234abcd)).toBe('1234ABCD');
    expect(parseSerialName('0000000A')).toBe(10);
    expect(parseSerialName('A')).toBeNull();
  });
});

describe('setting changes', () => {
  it('names the field of each bad value', () => {
    const result = settingChangesSchema.safeParse({
      'components.notificationServer.port': 70000,
      'clientAgent.softwareMetering': 'yes',
      'site.code': 'S02',
      'nothing.here': 1,
      'site.timeZone': 'Mars/Olympus',
    });
    expect(result.success).toBe(false);
    const fields = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields).toEqual({
      'components.notificationServer.port': 'must be at most 65535',
      'clientAgent.softwareMetering': 'must be on or off',
      'site.code': 'cannot be changed',
      'nothing.here': 'is not a site setting',
      'site.timeZone': 'must be an IANA time zone such as UTC or Europe/Berlin',
    });
  });

  it('refuses an empty change', () => {
    expect(settingChangesSchema.safeParse({}).success).toBe(false);
  });

  it('takes scan paths as lists of absolute paths, naming the setting of a bad one', () => {
    expect(base.clientAgent.scan).toEqual({
      quickPaths: ['/home', '/tmp', '/root'],
      fullPaths: ['/'],
      exclusions: ['/proc', '/sys', '/dev', '/run'],
    });
    expect(settingChangesSchema.parse({ 'clientAgent.scan.quickPaths': [' /home ', '/srv/uploads'] })).toEqual({
      'clientAgent.scan.quickPaths': ['/home', '/srv/uploads'],
    });
    const result = settingChangesSchema.safeParse({ 'clientAgent.scan.quickPaths': ['/home', 'tmp'], 'clientAgent.scan.exclusions': '/proc' });
    const fields = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields).toEqual({
      'clientAgent.scan.quickPaths': 'must hold absolute paths (each starting with /)',
      'clientAgent.scan.exclusions': 'must be a list of paths',
    });
  });
});

describe('mergeDelta', () => {
  const current = (serial: number, document = base) => ({ serial, document });

  it('applies a change to a property nobody moved, even when others moved', () => {
    const moved = { ...base, components: { ...base.components, notificationServer: { ...base.components.notificationServer, port: 10200 } } };
    const result = mergeDelta({
      current: current(6, moved),
      baseSerial: 5,
      changes: { 'clientAgent.policyPollingMinutes': 30 },
      since: [record(6, 'components.notificationServer.port', 10123, 10200)],
    });
    expect(result.outcome).toBe('merged');
    if (result.outcome !== 'merged') return;
    expect(result.document.clientAgent.policyPollingMinutes).toBe(30);
    expect(result.document.components.notificationServer.port).toBe(10200);
    expect(result.changes).toEqual([{ path: 'clientAgent.policyPollingMinutes', before: 60, after: 30 }]);
  });

  it('refuses a property that moved after the base serial, with the other change', () => {
    const result = mergeDelta({
      current: current(7),
      baseSerial: 5,
      changes: { 'components.notificationServer.port': 10300 },
      since: [record(6, 'clientAgent.softwareMetering', true, false), record(7, 'components.notificationServer.port', 10123, 10200, 'bob')],
    });
    expect(result).toEqual({
      outcome: 'conflict',
      conflicts: [
        {
          path: 'components.notificationServer.port',
          serial: 7,
          deltaId: null,
          changedBy: 'bob',
          changedAt: at.toISOString(),
          before: 10123,
          after: 10200,
        },
      ],
    });
  });

  it('cannot rule out conflicts once the base serial has left history', () => {
    const result = mergeDelta({
      current: current(200),
      baseSerial: 10,
      changes: { 'clientAgent.softwareMetering': false },
      since: [record(199, 'x', 1, 2)],
    });
    expect(result.outcome).toBe('outdated');
  });

  it('checks rules between properties on the merged document', () => {
    const result = mergeDelta({
      current: current(0),
      baseSerial: 0,
      changes: { 'summarizers.componentStatus.error.warningAt': 9 },
      since: [],
    });
    expect(result).toEqual({
      outcome: 'invalid',
      fields: [{ path: 'summarizers.componentStatus.error.warningAt', message: 'must be lower than the critical threshold (5)' }],
    });
  });

  it('diffs two documents by setting', () => {
    const other = { ...base, clientApproval: { mode: 'manual' as const } };
    expect(diffDocuments(base, other)).toEqual([{ path: 'clientApproval.mode', before: 'automatic', after: 'manual' }]);
  });

  it('diffs list settings by their values, not by identity', () => {
    const same = { ...base, clientAgent: { ...base.clientAgent, scan: { ...base.clientAgent.scan, fullPaths: ['/'] } } };
    expect(diffDocuments(base, same)).toEqual([]);
    const moved = { ...base, clientAgent: { ...base.clientAgent, scan: { ...base.clientAgent.scan, fullPaths: ['/', '/mnt/data'] } } };
    expect(diffDocuments(base, moved)).toEqual([{ path: 'clientAgent.scan.fullPaths', before: ['/'], after: ['/', '/mnt/data'] }]);
  });
});
