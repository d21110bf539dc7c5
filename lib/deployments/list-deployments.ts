import { systemClock, type Clock } from '../clock';
import { notFoundOrThrow } from '../errors';
import { csvText } from '../csv-field';
import { clientStatusLabels, type DeploymentClientPage, type DeploymentClientsQuery, type DeploymentRow } from './deployment.schema';
import { findDeploymentClients, findDeploymentRows } from './repo';

export async function listDeployments(options: { clock?: Clock } = {}): Promise<{ rows: DeploymentRow[] }> {
  return { rows: await findDeploymentRows({ now: (options.clock ?? systemClock).now() }) };
}

export async function getDeploymentOrThrow(id: number, options: { clock?: Clock } = {}): Promise<DeploymentRow> {
  const [row] = await findDeploymentRows({ id, now: (options.clock ?? systemClock).now() });
  return notFoundOrThrow(row, 'The deployment');
}

/** One page of the per-client drill-down, filtered by status, lateness and device name. */
export async function listDeploymentClients(id: number, query: DeploymentClientsQuery): Promise<DeploymentClientPage> {
  await getDeploymentOrThrow(id);
  const { rows, total } = await findDeploymentClients(id, { ...query, limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
  return { rows, total, page: query.page, pageSize: query.pageSize };
}

/** The filtered drill-down as CSV (every matching client, not one page). */
export async function deploymentClientsCsv(id: number, query: DeploymentClientsQuery): Promise<{ filename: string; body: string }> {
  const deployment = await getDeploymentOrThrow(id);
  const { rows } = await findDeploymentClients(id, { ...query, limit: null, offset: 0 });
  const header = ['Device', 'Site', 'Status', 'Exit code', 'Last report (client time)', 'Received', 'Message ID', 'Late'];
  const lines = rows.map((r) =>
    [r.deviceName, r.siteCode, clientStatusLabels[r.status], r.exitCode, r.lastReportAt, r.receivedAt, r.lastMessageId, r.late ? 'late' : ''].map(
      (v) => v ?? null,
    ),
  );
  return { filename: `deployment-${deployment.deploymentId}-clients.csv`, body: csvText(header, lines) };
}
