import { describe, expect, it } from 'vitest';
import {
  evaluateComponentHealth,
  healthOfCount,
  reportingHealth,
  siteColour,
  storageHealth,
  type ComponentThreshold,
} from '@/lib/summarizers/evaluate-thresholds';

const siteWide = (severity: ComponentThreshold['severity'], warningAt: number, criticalAt: number): ComponentThreshold => ({
  siteCode: null,
  component: null,
  messageId: null,
  severity,
  warningAt,
  criticalAt,
});
const defaults = [siteWide('INFORMATIONAL', 2000, 5000), siteWide('WARNING', 10, 50), siteWide('ERROR', 1, 5)];
const zero = { INFORMATIONAL: 0, WARNING: 0, ERROR: 0 };

describe('threshold edges', () => {
  it('is OK one below Warning at, Warning exactly at it, Critical exactly at Critical at', () => {
    const t = { warningAt: 10, criticalAt: 50 };
    expect(healthOfCount(9, t)).toBe('OK');
    expect(healthOfCount(10, t)).toBe('WARNING');
    expect(healthOfCount(11, t)).toBe('WARNING');
    expect(healthOfCount(49, t)).toBe('WARNING');
    expect(healthOfCount(50, t)).toBe('CRITICAL');
    expect(healthOfCount(51, t)).toBe('CRITICAL');
  });

  it('judges a component by the worst of its severities', () => {
    const health = (counts: Partial<typeof zero>) =>
      evaluateComponentHealth({ siteCode: 'S01', component: 'SMS_X', counts: { ...zero, ...counts }, messageCounts: [], thresholds: defaults })
        .health;
    expect(health({})).toBe('OK');
    expect(health({ INFORMATIONAL: 1999, WARNING: 9 })).toBe('OK');
    expect(health({ WARNING: 10 })).toBe('WARNING');
    expect(health({ ERROR: 1 })).toBe('WARNING');
    expect(
      evaluateComponentHealth({ siteCode: 'S01', component: 'SMS_X', counts: { ...zero, ERROR: 1 }, messageCounts: [], thresholds: defaults })
        .reasons,
    ).toEqual(['1 error message']);
    expect(health({ ERROR: 4, WARNING: 50 })).toBe('CRITICAL');
    expect(health({ ERROR: 5 })).toBe('CRITICAL');
    expect(health({ INFORMATIONAL: 5000 })).toBe('CRITICAL');
  });

  it('prefers the most specific threshold: site and component, component, site, everywhere', () => {
    const thresholds = [
      ...defaults,
      { siteCode: 'S01', component: null, messageId: null, severity: 'ERROR', warningAt: 3, criticalAt: 6 },
      { siteCode: null, component: 'SMS_NOISY', messageId: null, severity: 'ERROR', warningAt: 20, criticalAt: 40 },
      { siteCode: 'S02', component: 'SMS_NOISY', messageId: null, severity: 'ERROR', warningAt: 100, criticalAt: 200 },
    ] satisfies ComponentThreshold[];
    const health = (siteCode: string, component: string, ERROR: number) =>
      evaluateComponentHealth({ siteCode, component, counts: { ...zero, ERROR }, messageCounts: [], thresholds }).health;
    expect(health('S01', 'SMS_X', 2)).toBe('OK');
    expect(health('S01', 'SMS_X', 3)).toBe('WARNING');
    expect(health('S03', 'SMS_X', 1)).toBe('WARNING');
    expect(health('S01', 'SMS_NOISY', 19)).toBe('OK');
    expect(health('S01', 'SMS_NOISY', 40)).toBe('CRITICAL');
    expect(health('S02', 'SMS_NOISY', 199)).toBe('WARNING');
    expect(health('S02', 'SMS_NOISY', 200)).toBe('CRITICAL');
  });

  it('judges an overridden message ID by its own threshold alone, the rest of its severity by the severity', () => {
    const thresholds = [
      ...defaults,
      { siteCode: null, component: null, messageId: 4630, severity: 'WARNING', warningAt: 100, criticalAt: 500 },
    ] satisfies ComponentThreshold[];
    const judge = (warnings: number, of4630: number) =>
      evaluateComponentHealth({
        siteCode: 'S01',
        component: 'SMS_STATUS_MANAGER',
        counts: { ...zero, WARNING: warnings },
        messageCounts: [{ messageId: 4630, severity: 'WARNING', count: of4630 }],
        thresholds,
      });
    // 99 of the 108 warnings are 4630: 9 others stay under 10, 99 under 100.
    expect(judge(108, 99).health).toBe('OK');
    expect(judge(109, 99).health).toBe('WARNING');
    expect(judge(109, 99).reasons).toEqual(['10 warning messages']);
    expect(judge(100, 100).health).toBe('WARNING');
    expect(judge(100, 100).reasons).toEqual(['100 × message 4630 (warning)']);
    expect(judge(500, 500).health).toBe('CRITICAL');
  });
});

describe('site systems', () => {
  const storage = { freeSpaceWarningMb: 100, freeSpaceCriticalMb: 50 };
  const mb = 1_048_576;

  it('turns a storage object Warning at the warning free space and Critical at the critical one', () => {
    expect(storageHealth(101 * mb, storage)).toBe('OK');
    expect(storageHealth(100 * mb + 1, storage)).toBe('OK');
    expect(storageHealth(100 * mb, storage)).toBe('WARNING');
    expect(storageHealth(51 * mb, storage)).toBe('WARNING');
    expect(storageHealth(50 * mb, storage)).toBe('CRITICAL');
    expect(storageHealth(0, storage)).toBe('CRITICAL');
  });

  it('turns a silent site system Warning after one polling interval and Critical after two', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    expect(reportingHealth(ago(60), now, 60)).toBe('OK');
    expect(reportingHealth(new Date(ago(60).getTime() - 1), now, 60)).toBe('WARNING');
    expect(reportingHealth(ago(120), now, 60)).toBe('WARNING');
    expect(reportingHealth(new Date(ago(120).getTime() - 1), now, 60)).toBe('CRITICAL');
    expect(reportingHealth(null, now, 60)).toBe('WARNING');
  });
});

describe('site rollup', () => {
  it('is green when all is OK, yellow with any Warning, red with any Critical component or site system', () => {
    expect(siteColour({ components: ['OK', 'OK'], siteSystems: ['OK'] })).toBe('green');
    expect(siteColour({ components: [], siteSystems: [] })).toBe('green');
    expect(siteColour({ components: ['OK', 'WARNING'], siteSystems: ['OK'] })).toBe('yellow');
    expect(siteColour({ components: ['OK'], siteSystems: ['WARNING'] })).toBe('yellow');
    expect(siteColour({ components: ['WARNING', 'CRITICAL'], siteSystems: ['OK'] })).toBe('red');
    expect(siteColour({ components: ['OK'], siteSystems: ['CRITICAL'] })).toBe('red');
  });
});
