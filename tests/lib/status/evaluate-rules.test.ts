import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, evaluateRules, ruleMatches } from '@/lib/status/evaluate-rules';
import type { FilterRule } from '@/lib/status/status-filter-rule.schema';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { testRule } from './fixtures';

let nextId = 1;
function rule(overrides: Partial<FilterRule>): FilterRule {
  const id = overrides.id ?? nextId++;
  return testRule({ id, priority: id * 10, ...overrides });
}

const message: StatusMessage = {
  uid: '3f1d2c1e-8a8e-4a57-9a53-0d0a8f0c0001',
  messageId: 10006,
  severity: 'ERROR',
  type: 'MILESTONE',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName: 'WKS0001',
  component: 'Software Distribution',
  sourceTime: new Date('2026-11-23T08:00:00Z'),
  insertionStrings: ['S0120001', 'S0100003', 'Install', '1603'],
  properties: { AdvertisementID: 'S0120001', PackageID: 'S0100003' },
};

describe('ruleMatches', () => {
  it('matches on every criterion, leaving unset ones open', () => {
    expect(ruleMatches(rule({}), message)).toBe(true);
    expect(ruleMatches(rule({ source: 'CLIENT', siteCode: 'S01', messageType: 'MILESTONE', severity: 'ERROR', messageId: 10006 }), message)).toBe(
      true,
    );
    expect(ruleMatches(rule({ source: 'SERVER' }), message)).toBe(false);
    expect(ruleMatches(rule({ siteCode: 'S02' }), message)).toBe(false);
    expect(ruleMatches(rule({ messageType: 'AUDIT' }), message)).toBe(false);
    expect(ruleMatches(rule({ severity: 'WARNING' }), message)).toBe(false);
    expect(ruleMatches(rule({ messageId: 10008 }), message)).toBe(false);
  });

  it('compares system, component and property names without regard to case', () => {
    expect(ruleMatches(rule({ systemName: 'wks0001', component: 'SOFTWARE DISTRIBUTION' }), message)).toBe(true);
    expect(ruleMatches(rule({ systemName: 'WKS0002' }), message)).toBe(false);
    expect(ruleMatches(rule({ component: 'Other' }), message)).toBe(false);
  });

  it('matches a property by name, and by value when one is given', () => {
    expect(ruleMatches(rule({ propertyName: 'advertisementid' }), message)).toBe(true);
    expect(ruleMatches(rule({ propertyName: 'AdvertisementID', propertyValue: 's0120001' }), message)).toBe(true);
    expect(ruleMatches(rule({ propertyName: 'AdvertisementID', propertyValue: 'S0120002' }), message)).toBe(false);
    expect(ruleMatches(rule({ propertyName: 'CollectionID' }), message)).toBe(false);
  });
});

describe('evaluateRules', () => {
  it('discards a message no rule matches, but still forwards it to the summarizers', () => {
    const result = evaluateRules({ message, rules: [rule({ messageId: 1, writeToDatabase: true, retentionDays: 5 })] });
    expect(result.matchedRuleIds).toEqual([]);
    expect(result.actions).toEqual({
      writeToDatabase: false,
      retentionDays: null,
      reportToEventLog: false,
      replicateToParent: 'NONE',
      forwardToSummarizers: true,
      programs: [],
    });
  });

  it('evaluates in priority order and stops after "do not process lower-priority rules"', () => {
    const first = rule({ priority: 5, severity: 'ERROR', reportToEventLog: true, stopProcessing: true });
    const second = rule({ priority: 50, writeToDatabase: true, retentionDays: 7 });
    const earlier = rule({ priority: 1, replicateToParent: 'LOW' });
    // Given out of order: evaluation sorts by priority.
    const result = evaluateRules({ message, rules: [second, first, earlier] });
    expect(result.matchedRuleIds).toEqual([earlier.id, first.id]);
    expect(result.stoppedByRuleId).toBe(first.id);
    expect(result.actions.reportToEventLog).toBe(true);
    expect(result.actions.replicateToParent).toBe('LOW');
    expect(result.actions.writeToDatabase).toBe(false);
  });

  it('a stop on a rule that does not match stops nothing; disabled rules are skipped', () => {
    const stopper = rule({ priority: 1, messageId: 1, stopProcessing: true });
    const disabled = rule({ priority: 2, enabled: false, stopProcessing: true, reportToEventLog: true });
    const writer = rule({ priority: 3, writeToDatabase: true, retentionDays: 3 });
    const result = evaluateRules({ message, rules: [stopper, disabled, writer] });
    expect(result.matchedRuleIds).toEqual([writer.id]);
    expect(result.stoppedByRuleId).toBeNull();
    expect(result.actions.reportToEventLog).toBe(false);
    expect(result.actions.writeToDatabase).toBe(true);
  });

  it('runs an action two rules ask for once: the longest retention, the highest replication priority, each program once', () => {
    const program = { kind: 'command' as const, file: '/usr/local/bin/page', args: ['%msgid'], timeoutSeconds: 30 };
    const rules = [
      rule({ priority: 1, writeToDatabase: true, retentionDays: 7, replicateToParent: 'MEDIUM', runProgram: program, reportToEventLog: true }),
      rule({ priority: 2, writeToDatabase: true, retentionDays: 90, replicateToParent: 'LOW', runProgram: { ...program }, reportToEventLog: true }),
      rule({
        priority: 3,
        writeToDatabase: true,
        replicateToParent: 'HIGH',
        runProgram: { kind: 'webhook', url: 'https://hooks.example.com/x', timeoutSeconds: 5 },
      }),
    ];
    const { actions } = evaluateRules({ message, rules });
    expect(actions.writeToDatabase).toBe(true);
    expect(actions.retentionDays).toBe(90);
    expect(actions.replicateToParent).toBe('HIGH');
    expect(actions.reportToEventLog).toBe(true);
    expect(actions.programs.map((p) => p.program.kind)).toEqual(['command', 'webhook']);
    expect(actions.programs[0].ruleId).toBe(rules[0].id);
  });

  it('stamps the default retention when a writing rule gives none', () => {
    const { actions } = evaluateRules({ message, rules: [rule({ writeToDatabase: true })] });
    expect(actions.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
  });

  it('keeps a message from the summarizers when any matching rule says so', () => {
    const rules = [rule({ priority: 1 }), rule({ priority: 2, forwardToSummarizers: false })];
    expect(evaluateRules({ message, rules }).actions.forwardToSummarizers).toBe(false);
  });

  it('follows the default rules: 10907 kept one day, off the summarizers, nothing after it', () => {
    const rules = [
      rule({ priority: 10, messageType: 'AUDIT', writeToDatabase: true, retentionDays: 180 }),
      rule({ priority: 20, source: 'SERVER', severity: 'ERROR', replicateToParent: 'HIGH' }),
      rule({ priority: 30, messageId: 10907, writeToDatabase: true, retentionDays: 1, forwardToSummarizers: false, stopProcessing: true }),
      rule({ priority: 1000, writeToDatabase: true, retentionDays: 30 }),
    ];
    const metering = { ...message, messageId: 10907, severity: 'INFORMATIONAL' as const, type: 'DETAIL' as const };
    const result = evaluateRules({ message: metering, rules });
    expect(result.actions).toMatchObject({ writeToDatabase: true, retentionDays: 1, forwardToSummarizers: false, replicateToParent: 'NONE' });
    expect(result.stoppedByRuleId).toBe(rules[2].id);
    expect(evaluateRules({ message, rules }).actions.retentionDays).toBe(30);
  });
});
