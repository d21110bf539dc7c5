import type { SummarizerHandoff, Summarizers } from '../summarizers/summarizer-handoff';
import {
  applyProgramReport,
  programReportMessageIds,
  reportedDeploymentId,
  reportedExitCode,
  type ClientStatusState,
  type ProgramReportKind,
} from './derive-client-status';
import {
  addDeploymentSummaryCounts,
  findDeploymentsByKey,
  findDevicesByName,
  lockClientStatuses,
  writeClientStatuses,
  type SummaryIncrement,
} from './status-repo';
import { notifyDeploymentsChanged } from './notify-deployments-changed';

const counterOf: Record<ProgramReportKind, keyof Omit<SummaryIncrement, 'deploymentId' | 'lateReports' | 'lastMessageAt'>> = {
  received: 'received',
  started: 'programStarted',
  failed: 'programErrors',
  succeeded: 'programSucceeded',
  retrying: 'retrying',
  expired: 'expiredUnrun',
};

/**
 * The deployment (advertisement) status summarizer, run by Status Manager inside each batch's
 * transaction: from the program status messages clients report it keeps, per deployment, counts
 * by kind (received, programs started, program errors, succeeded, retrying, expired unrun, late),
 * and per client the status derived from the newest report (lib/deployments/derive-client-status).
 * Reports from devices the deployment does not target are left out.
 * Status Manager hands each message over once (a retried batch is recognised by uid first), and
 * everything written here commits with the batch, so nothing is ever counted twice.
 */
export const deploymentStatusSummarizer: Summarizers = async ({ client, messages }: SummarizerHandoff) => {
  const reports = messages.flatMap(({ message, receivedAt }) => {
    if (message.source !== 'CLIENT' || !programReportMessageIds.has(message.messageId)) return [];
    const deploymentKey = reportedDeploymentId(message);
    if (!deploymentKey) return [];
    return [
      {
        deploymentKey,
        deviceName: message.systemName,
        siteCode: message.siteCode,
        report: {
          messageId: message.messageId,
          sourceTime: new Date(message.sourceTime),
          receivedAt,
          exitCode: reportedExitCode(message),
        },
      },
    ];
  });
  if (!reports.length) return;

  const deployments = await findDeploymentsByKey(client, [...new Set(reports.map((r) => r.deploymentKey))]);
  const devices = await findDevicesByName(client, [...new Set(reports.map((r) => r.deviceName))]);
  const resolved = reports.flatMap((r) => {
    const deployment = deployments.get(r.deploymentKey);
    const candidates = devices.get(r.deviceName) ?? [];
    const device = candidates.find((d) => d.siteCode === r.siteCode) ?? candidates[0];
    return deployment && device ? [{ ...r, deployment, deviceId: device.id }] : [];
  });
  if (!resolved.length) return;

  const key = (deploymentId: number, deviceId: number) => `${deploymentId}:${deviceId}`;
  const pairs = [
    ...new Map(resolved.map((r) => [key(r.deployment.id, r.deviceId), { deploymentId: r.deployment.id, deviceId: r.deviceId }])).values(),
  ];
  const states = await lockClientStatuses(client, pairs);
  const changed = new Map<string, { deploymentId: number; deviceId: number; state: ClientStatusState }>();
  const increments = new Map<number, SummaryIncrement>();

  // Oldest first, so the newest report of a batch is the one that stands.
  resolved.sort((a, b) => a.report.sourceTime.getTime() - b.report.sourceTime.getTime());
  for (const r of resolved) {
    const k = key(r.deployment.id, r.deviceId);
    const current = states.get(k);
    // A device the deployment never targeted: its report stays in the status messages, but it
    // neither joins the deployment's clients nor adds to its counts.
    if (!current) continue;
    const result = applyProgramReport({ current, report: r.report, expiresAt: r.deployment.expiresAt });
    if (result.changed) {
      states.set(k, result.next);
      changed.set(k, { deploymentId: r.deployment.id, deviceId: r.deviceId, state: result.next });
    }
    let inc = increments.get(r.deployment.id);
    if (!inc) {
      inc = {
        deploymentId: r.deployment.id,
        received: 0,
        programStarted: 0,
        programErrors: 0,
        programSucceeded: 0,
        retrying: 0,
        expiredUnrun: 0,
        lateReports: 0,
        lastMessageAt: r.report.receivedAt,
      };
      increments.set(r.deployment.id, inc);
    }
    if (result.kind) inc[counterOf[result.kind]] += 1;
    if (result.late) inc.lateReports += 1;
    if (r.report.receivedAt > inc.lastMessageAt) inc.lastMessageAt = r.report.receivedAt;
  }
  await writeClientStatuses(client, [...changed.values()]);
  await addDeploymentSummaryCounts(client, [...increments.values()]);
  await notifyDeploymentsChanged(client, [...increments.keys()]);
};
