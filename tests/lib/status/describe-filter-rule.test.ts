import { describe, expect, it } from 'vitest';
import { describeActions, describeCriteria, describeRuleActions } from '@/lib/status/describe-filter-rule';
import { testRule } from './fixtures';

describe('describing filter rules', () => {
  it('reads criteria as a phrase, all messages when none is set', () => {
    expect(describeCriteria(testRule({}))).toBe('All messages');
    expect(describeCriteria(testRule({ severity: 'ERROR', source: 'SERVER', messageId: 502, component: 'SMS_X', siteCode: 'S01' }))).toBe(
      'Error messages with message ID 502 from servers from component SMS_X at site S01',
    );
    expect(describeCriteria(testRule({ messageType: 'AUDIT', propertyName: 'UserName', propertyValue: 'admin' }))).toBe(
      'Audit messages whose UserName is admin',
    );
    expect(describeCriteria(testRule({ propertyName: 'PackageID' }))).toBe('All messages that have a PackageID');
  });

  it('lists every action a rule takes', () => {
    expect(describeRuleActions(testRule({}))).toEqual([]);
    expect(
      describeRuleActions(
        testRule({
          writeToDatabase: true,
          retentionDays: 1,
          reportToEventLog: true,
          replicateToParent: 'HIGH',
          forwardToSummarizers: false,
          runProgram: { kind: 'command', file: '/usr/bin/logger', args: ['%msgid'], timeoutSeconds: 5 },
          stopProcessing: true,
        }),
      ),
    ).toEqual([
      'write to the database (keep 1 day)',
      'report to the event log',
      'replicate to the parent site (high priority)',
      'do not forward to the status summarizers',
      'run /usr/bin/logger %msgid',
      'do not process lower-priority rules',
    ]);
    expect(
      describeActions({
        writeToDatabase: true,
        retentionDays: 30,
        reportToEventLog: false,
        replicateToParent: 'NONE',
        forwardToSummarizers: true,
        programs: [{ program: { kind: 'webhook', url: 'https://hooks.example/x', timeoutSeconds: 5 } }],
      }),
    ).toEqual(['write to the database (keep 30 days)', 'call webhook https://hooks.example/x']);
  });
});
