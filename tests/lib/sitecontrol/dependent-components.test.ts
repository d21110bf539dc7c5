import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { clientPolicy } from '@/lib/policy/client-policy';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { readSiteControl, readSiteSettings } from '@/lib/sitecontrol/read-site-settings';
import { defaultSiteSettings } from '@/lib/sitecontrol/site-control.schema';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { createFilterRule } from '@/lib/status/create-filter-rule';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { applyReportingProperties } from '@/lib/status/reporting-properties';
import { startStatusManager } from '@/lib/status/status-manager';
import { carryChanges } from './carry-changes';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRuleInput } from '../status/fixtures';
import { siteControlSettings } from '../../support/status-manager-settings';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

async function change(changes: Record<string, unknown>) {
  const { serial } = await readSiteControl();
  await submitSiteControlChange({ actor, baseSerial: serial, changes });
  await carryChanges();
}

const keep = {
  writeToDatabase: true,
  retentionDays: 30,
  reportToEventLog: false,
  replicateToParent: 'NONE' as const,
  forwardToSummarizers: true,
  programs: [],
};

describe('applyReportingProperties', () => {
  const reporting = defaultSiteSettings({ code: 'S01', name: 'S01' }).statusReporting;

  it('keeps what the rules decided under the defaults', () => {
    expect(applyReportingProperties({ source: 'CLIENT', type: 'DETAIL', severity: 'INFORMATIONAL' }, keep, reporting)).toEqual(keep);
  });

  it('drops messages under the minimum severity from the database, and sends those over it to the event log', () => {
    const strict = {
      ...reporting,
      clientComponents: {
        ...reporting.clientComponents,
        databaseMinimumSeverity: 'WARNING' as const,
        reportToEventLog: true,
        eventLogMinimumSeverity: 'ERROR' as const,
      },
    };
    expect(applyReportingProperties({ source: 'CLIENT', type: 'DETAIL', severity: 'INFORMATIONAL' }, keep, strict)).toMatchObject({
      writeToDatabase: false,
      retentionDays: null,
      reportToEventLog: false,
    });
    expect(applyReportingProperties({ source: 'CLIENT', type: 'DETAIL', severity: 'ERROR' }, keep, strict)).toMatchObject({
      writeToDatabase: true,
      reportToEventLog: true,
    });
    // Server components have their own properties; audit messages are always kept.
    expect(applyReportingProperties({ source: 'SERVER', type: 'DETAIL', severity: 'INFORMATIONAL' }, keep, strict)).toEqual(keep);
    const off = { ...reporting, serverComponents: { ...reporting.serverComponents, reportToDatabase: false } };
    expect(applyReportingProperties({ source: 'SERVER', type: 'MILESTONE', severity: 'ERROR' }, keep, off).writeToDatabase).toBe(false);
    expect(applyReportingProperties({ source: 'PROVIDER', type: 'AUDIT', severity: 'INFORMATIONAL' }, keep, off)).toEqual(keep);
  });
});

describe('components that depend on site settings', () => {
  let controller = new AbortController();
  let manager: Awaited<ReturnType<typeof startStatusManager>>;
  const start = () =>
    startStatusManager({
      db: pool(),
      connectionString: config().databaseUrl,
      log: pino({ level: 'silent' }),
      signal: controller.signal,
      loops: 1,
      batchRows: 5,
      watchSettings: siteControlSettings(config().databaseUrl),
      ledgerDays: 7,
      pollMs: 50,
    });

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 1 });
    await pool().query(`DELETE FROM status_filter_rule`);
    await createFilterRule({
      actor,
      input: testRuleInput({ name: 'Keep everything', writeToDatabase: true }),
    });
    manager = await start();
  });
  afterAll(async () => {
    controller.abort();
    await manager.stop();
  });

  const storedRow = async (uid: string) => (await pool().query(`SELECT received_at, expires_at FROM status_message WHERE uid = $1`, [uid])).rows[0];
  const processed = async (uid: string) => (await pool().query(`SELECT 1 FROM status_processed_uid WHERE uid = $1`, [uid])).rows.length > 0;

  it('Status Manager reloads its reporting properties and default retention without restart', async () => {
    const before = testMessage({ severity: 'INFORMATIONAL' });
    await appendToInbox({ db: pool(), messages: [before], origin: 'mp' });
    await expect.poll(() => storedRow(before.uid), { timeout: 10_000 }).toBeTruthy();
    const kept = await storedRow(before.uid);
    expect(kept.expires_at.getTime() - kept.received_at.getTime()).toBe(30 * 86_400_000);

    await change({ 'statusReporting.clientComponents.databaseMinimumSeverity': 'WARNING', 'maintenance.deleteAgedStatusMessages.retentionDays': 7 });
    // The reload is asynchronous (NOTIFY); a message sent until then may still be kept, so wait for one that is not.
    let dropped: ReturnType<typeof testMessage> | null = null;
    await expect
      .poll(
        async () => {
          if (dropped && (await processed(dropped.uid))) return (await storedRow(dropped.uid)) === undefined;
          if (!dropped || (await storedRow(dropped.uid))) {
            dropped = testMessage({ severity: 'INFORMATIONAL' });
            await appendToInbox({ db: pool(), messages: [dropped], origin: 'mp' });
          }
          return false;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    const warning = testMessage({ severity: 'WARNING' });
    await appendToInbox({ db: pool(), messages: [warning], origin: 'mp' });
    await expect.poll(() => storedRow(warning.uid), { timeout: 10_000 }).toBeTruthy();
    const row = await storedRow(warning.uid);
    expect(row.expires_at.getTime() - row.received_at.getTime()).toBe(7 * 86_400_000);
  });

  it('Status Manager applies the reporting properties to the batches waiting when it starts', async () => {
    controller.abort();
    await manager.stop();
    await change({ 'statusReporting.clientComponents.databaseMinimumSeverity': 'ERROR', 'maintenance.deleteAgedStatusMessages.retentionDays': 3 });
    const waiting = [testMessage({ severity: 'WARNING' }), testMessage({ severity: 'ERROR' })];
    await appendToInbox({ db: pool(), messages: waiting, origin: 'mp' });
    controller = new AbortController();
    manager = await start();
    // One inbox batch, processed in one transaction: the kept message shows when both are done.
    await expect.poll(() => storedRow(waiting[1].uid), { timeout: 10_000 }).toBeTruthy();
    expect(await storedRow(waiting[0].uid)).toBeUndefined();
    expect(await processed(waiting[0].uid)).toBe(true);
    const row = await storedRow(waiting[1].uid);
    expect(row.expires_at.getTime() - row.received_at.getTime()).toBe(3 * 86_400_000);
  });

  it('client policy and device approval read the site settings', async () => {
    await change({ 'clientAgent.policyPollingMinutes': 15, 'clientAgent.softwareMetering': false, 'clientApproval.mode': 'manual' });
    const { rows } = await pool().query(`SELECT d.id, d.name, d.site_id FROM device d LIMIT 1`);
    const policy = await clientPolicy(
      { id: rows[0].id, name: rows[0].name, siteId: rows[0].site_id },
      { siteSettings: (siteIds) => readPolicySiteSettings(siteIds) },
    );
    expect(policy.clientAgent).toMatchObject({ policyPollingMinutes: 15, softwareMetering: false, clientNotification: true });
    expect(policy.siteControlSerial).toBe((await readSiteControl()).serial);
    expect((await readSiteSettings()).clientApproval.mode).toBe('manual');
  });
});
