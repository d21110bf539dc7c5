import { randomUUID } from 'node:crypto';
import { pool } from '@/lib/db/pool';
import type { FilterRule } from '@/lib/status/status-filter-rule.schema';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { deviceCredential } from '../../support/credentials';

let ruleIds = 1000;

/** A filter rule that matches everything and does nothing, with `overrides` applied. */
export function testRule(overrides: Partial<FilterRule>): FilterRule {
  const id = overrides.id ?? ruleIds++;
  return {
    id,
    name: `rule ${id}`,
    priority: id,
    enabled: true,
    builtIn: false,
    source: null,
    siteCode: null,
    systemName: null,
    component: null,
    messageType: null,
    severity: null,
    messageId: null,
    propertyName: null,
    propertyValue: null,
    writeToDatabase: false,
    retentionDays: null,
    reportToEventLog: false,
    replicateToParent: 'NONE',
    forwardToSummarizers: true,
    runProgram: null,
    stopProcessing: false,
    ...overrides,
  };
}

/** What createFilterRule takes for a rule that matches everything and does nothing, with `overrides` applied. */
export function testRuleInput(overrides: Partial<Omit<FilterRule, 'id' | 'priority' | 'builtIn'>> = {}) {
  const { id: _id, priority: _priority, builtIn: _builtIn, ...input } = testRule({ name: 'rule', ...overrides });
  return input;
}

/** A valid client status message (10907 unless overridden) with a fresh uid. */
export function testMessage(overrides: Partial<StatusMessage> = {}): StatusMessage {
  return {
    uid: randomUUID(),
    messageId: 10907,
    severity: 'INFORMATIONAL',
    type: 'DETAIL',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: 'WKS0001',
    component: 'Software Metering Agent',
    sourceTime: new Date('2026-11-23T08:00:00.000Z'),
    insertionStrings: ['S0100001', 'winword.exe'],
    properties: {},
    ...overrides,
  };
}

/** The message as it travels in JSON (what an HTTP client sends). */
export const wire = (m: StatusMessage) => JSON.parse(JSON.stringify(m));

/** Site S01 with one approved client, WKS0001; returns its `Authorization` header value. */
export async function seedReportingClient(): Promise<string> {
  await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  await pool().query(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
     VALUES (1, 'WKS0001', 'Windows 11', '10.0', 'WORKSTATION', 'APPROVED', now())`,
  );
  return deviceCredential('WKS0001');
}
