import { describe, expect, it } from 'vitest';
import {
  applyProgramReport,
  noStatus,
  reportedDeploymentId,
  reportedExitCode,
  type ClientStatusState,
  type ProgramReport,
} from '@/lib/deployments/derive-client-status';
import { statusMessageIds as ids } from '@/lib/reporting/catalog';

const t = (iso: string) => new Date(`2026-11-${iso}Z`);
const expiresAt = t('25T09:00:00');
const report = (messageId: number, at: string, overrides: Partial<ProgramReport> = {}): ProgramReport => ({
  messageId,
  sourceTime: t(at),
  receivedAt: t(at),
  exitCode: null,
  ...overrides,
});

function fold(reports: ProgramReport[], start: ClientStatusState = noStatus) {
  return reports.reduce((state, r) => applyProgramReport({ current: state, report: r, expiresAt }).next, start);
}

describe('applyProgramReport', () => {
  it('follows a program from received through running to its outcome', () => {
    const received = fold([report(ids.programReceived, '23T09:00:00')]);
    expect(received).toMatchObject({ status: 'RECEIVED', lastMessageId: ids.programReceived, late: false });
    const running = fold([report(ids.programStarted, '23T09:05:00')], received);
    expect(running.status).toBe('RUNNING');
    const failed = fold([report(ids.programFailed, '23T09:06:00', { exitCode: 1603 })], running);
    expect(failed).toMatchObject({ status: 'FAILED', exitCode: 1603, lastReportAt: t('23T09:06:00') });
    const retrying = fold([report(ids.programWillRetry, '23T09:06:00', { exitCode: 1603 })], running);
    expect(retrying.status).toBe('RETRYING');
    expect(fold([report(ids.programSucceededMif, '23T09:30:00', { exitCode: 0 })], retrying)).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
  });

  it('never rolls back to an older report delivered out of order', () => {
    const done = fold([report(ids.programSucceeded, '23T10:00:00', { exitCode: 0 })]);
    const after = applyProgramReport({ current: done, report: report(ids.programStarted, '23T09:59:59'), expiresAt });
    expect(after.changed).toBe(false);
    expect(after.next).toBe(done);
    expect(after.kind).toBe('started'); // still counted by the summarizer
  });

  it('breaks a tie in time towards the report further along', () => {
    const succeeded = fold([report(ids.programSucceeded, '23T10:00:00', { exitCode: 0 })]);
    expect(fold([report(ids.programStarted, '23T10:00:00')], succeeded).status).toBe('SUCCEEDED');
    const started = fold([report(ids.programStarted, '23T10:00:00')]);
    expect(fold([report(ids.programSucceeded, '23T10:00:00')], started).status).toBe('SUCCEEDED');
  });

  it("keeps each client's last status when the deployment expires", () => {
    for (const start of [
      fold([report(ids.programSucceeded, '23T10:00:00', { exitCode: 0 })]),
      fold([report(ids.programFailed, '23T10:00:00', { exitCode: 1 })]),
      noStatus,
      fold([report(ids.programReceived, '23T10:00:00')]),
    ]) {
      const expired = applyProgramReport({ current: start, report: report(ids.programExpired, '25T09:00:01'), expiresAt });
      expect(expired).toMatchObject({ changed: false, kind: 'expired', late: true });
      expect(expired.next).toBe(start);
    }
  });

  it('marks a report made or received at or after expiry as late, without mistaking it for an earlier one', () => {
    const failed = fold([report(ids.programFailed, '24T10:00:00', { exitCode: 1 })]);
    const lateRun = applyProgramReport({ current: failed, report: report(ids.programSucceeded, '25T11:00:00', { exitCode: 0 }), expiresAt });
    expect(lateRun).toMatchObject({ changed: true, late: true, next: { status: 'SUCCEEDED', late: true, lastReportAt: t('25T11:00:00') } });
    // Made before expiry, spooled on the client, received after it: late as well.
    const spooled = applyProgramReport({
      current: noStatus,
      report: report(ids.programSucceeded, '25T08:59:59', { receivedAt: t('25T09:00:00') }),
      expiresAt,
    });
    expect(spooled.next).toMatchObject({ status: 'SUCCEEDED', late: true });
    // One millisecond before expiry, both ways: on time.
    const onTime = applyProgramReport({ current: noStatus, report: report(ids.programSucceeded, '25T08:59:59.999'), expiresAt });
    expect(onTime.late).toBe(false);
    // Without an expiration nothing is ever late.
    expect(applyProgramReport({ current: noStatus, report: report(ids.programSucceeded, '30T00:00:00'), expiresAt: null }).late).toBe(false);
  });

  it('ignores message IDs that are not program status', () => {
    expect(applyProgramReport({ current: noStatus, report: report(ids.meteringRulesReceived, '23T09:00:00'), expiresAt })).toMatchObject({
      changed: false,
      kind: null,
    });
  });
});

describe('reading program status messages', () => {
  it('takes the deployment and exit code from properties, else insertion strings', () => {
    expect(reportedDeploymentId({ properties: { AdvertisementID: 'S0120001' } })).toBe('S0120001');
    expect(reportedDeploymentId({ insertionStrings: ['S0120002'] })).toBe('S0120002');
    expect(reportedDeploymentId({ insertionStrings: ["S01'; DROP"] })).toBeNull();
    expect(reportedExitCode({ properties: { ExitCode: '-2147024894' } })).toBe(-2147024894);
    expect(reportedExitCode({ insertionStrings: ['a', 'b', 'c', '1603'] })).toBe(1603);
    expect(reportedExitCode({ insertionStrings: ['a', 'b', 'c', 'oops'] })).toBeNull();
    expect(reportedExitCode({ properties: { ExitCode: '99999999999' } })).toBeNull();
  });
});
