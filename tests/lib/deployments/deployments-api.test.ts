// Packages and deployments through their route handlers: validation naming fields, roles, audit,
// policy contents, schedule changes (refused once expired) and the CSV export.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as clientsCsv } from '@/app/api/deployments/[id]/clients.csv/route';
import { PATCH as patchDeployment } from '@/app/api/deployments/[id]/route';
import { GET as listDeployments, POST as postDeployment } from '@/app/api/deployments/route';
import { GET as policyRoute } from '@/app/api/mp/policy/route';
import { GET as listPackages, POST as postPackage } from '@/app/api/packages/route';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import type { DeploymentRow, PackageRow } from '@/lib/deployments/deployment.schema';
import { expireDeployments } from '@/lib/deployments/expire-deployments';
import { registerDevice } from '@/lib/devices/register-device';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

let operator: TestSession;
let analyst: TestSession;
let programId: number;
let collectionId: number;
let device: { authorization: string };
const hour = 3_600_000;

const post = (handler: typeof postPackage, path: string, body: unknown, session = operator) =>
  handler(request(path, { method: 'POST', headers: session.headers, body }));

describe('packages and deployments API', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
    const reg = await registerDevice({
      siteCode: 'S01',
      input: { name: 'NYC-WS-0042', osName: 'Windows 11 Enterprise', osVersion: '10.0', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
      address: '10.0.0.42',
      approvalMode: 'automatic',
    });
    device = { authorization: `Device ${reg.deviceId}.${reg.secret}` };
    const c = await pool().query(`INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100099', 'Pilot', now()) RETURNING id`);
    collectionId = c.rows[0].id;
    await pool().query(`INSERT INTO collection_rule (collection_id, kind, device_id) VALUES ($1, 'DIRECT', $2)`, [collectionId, reg.deviceId]);
    await evaluateCollections({ db: pool() });
  });

  it('creates a package with programs, naming refused fields', async () => {
    const bad = await post(postPackage, '/api/packages', {
      name: 'Office',
      programs: [
        { name: 'Install', commandLine: '' },
        { name: 'install', commandLine: 'setup.exe', runConditions: { retries: 99 } },
      ],
    });
    expect(bad.status).toBe(400);
    const fields = (await bad.json()).error.fields.map((f: { path: string }) => f.path);
    expect(fields).toEqual(expect.arrayContaining(['programs.0.commandLine', 'programs.1.runConditions.retries']));
    expect((await post(postPackage, '/api/packages', { name: 'Office' }, analyst)).status).toBe(403);

    const ok = await post(postPackage, '/api/packages', {
      name: 'Office',
      version: '2024',
      manufacturer: 'Microsoft',
      programs: [{ name: 'Install', commandLine: 'setup.exe /configure office.xml', runConditions: { retries: 2, successExitCodes: [0] } }],
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).packageId).toMatch(/^S01[0-9A-F]{5}$/);
    const list = (await (await listPackages(request('/api/packages', { headers: analyst.headers }))).json()).rows as PackageRow[];
    expect(list[0].programs[0]).toMatchObject({
      name: 'Install',
      runConditions: { retries: 2, retryIntervalMinutes: 10, maxRunMinutes: 120, successExitCodes: [0] },
    });
    programId = list[0].programs[0].id;
  });

  it('refuses a schedule change made from a version someone else changed since, and keeps theirs', async () => {
    const schedule = { name: 'Two editors', availableAt: new Date(Date.now() - hour).toISOString() };
    const created = await post(postDeployment, '/api/deployments', { ...schedule, programId, collectionId });
    expect(created.status).toBe(200);
    const { id } = await created.json();
    const read = async () =>
      ((await (await listDeployments(request('/api/deployments', { headers: analyst.headers }))).json()).rows as DeploymentRow[]).find(
        (r) => r.id === id,
      )!;
    const other = await signInAs('OPERATIONS_ADMINISTRATOR');
    const patch = (session: TestSession, body: unknown) =>
      patchDeployment(request(`/api/deployments/${id}`, { method: 'PATCH', headers: session.headers, body }), withParams({ id: String(id) }));
    try {
      // Both open the schedule form; the other operator saves first.
      const opened = await read();
      expect((await patch(other, { ...schedule, comment: 'theirs', baseUpdatedAt: opened.updatedAt })).status).toBe(200);
      const stale = await patch(operator, { ...schedule, comment: 'mine', baseUpdatedAt: opened.updatedAt });
      expect(stale.status).toBe(409);
      expect((await stale.json()).error.message).toBe(
        `${other.userName} changed the deployment after you opened it; cancel, then change it again to start from their version.`,
      );
      const current = await read();
      expect(current.comment).toBe('theirs');
      // Made from the current version, the change goes through; one naming no version still does too.
      expect((await patch(operator, { ...schedule, comment: 'mine', baseUpdatedAt: current.updatedAt })).status).toBe(200);
      expect((await patch(other, { ...schedule, comment: 'last' })).status).toBe(200);
      expect((await patch(operator, { ...schedule, baseUpdatedAt: '2026-13-45' })).status).toBe(400);
    } finally {
      // The next test reads the only deployment in policy.
      await pool().query(`DELETE FROM deployment WHERE id = $1`, [id]);
    }
  });

  it('creates a deployment, refusing times out of order, and hands it to members in policy', async () => {
    const now = Date.now();
    const late = await post(postDeployment, '/api/deployments', {
      name: 'Office 2024',
      programId,
      collectionId,
      availableAt: new Date(now).toISOString(),
      expiresAt: new Date(now - hour).toISOString(),
    });
    expect(late.status).toBe(400);
    expect((await late.json()).error.fields).toEqual([{ path: 'expiresAt', message: 'must be after the available time' }]);
    const nowhere = await post(postDeployment, '/api/deployments', {
      name: 'X',
      programId: 99999,
      collectionId,
      availableAt: new Date(now).toISOString(),
    });
    expect((await nowhere.json()).error.fields).toEqual([{ path: 'programId', message: 'no such program' }]);

    const created = await post(postDeployment, '/api/deployments', {
      name: 'Office 2024',
      programId,
      collectionId,
      availableAt: new Date(now - hour).toISOString(),
      mandatoryAt: new Date(now + hour).toISOString(),
      expiresAt: new Date(now + 2 * hour).toISOString(),
    });
    expect(created.status).toBe(200);
    const { id, deploymentId } = await created.json();
    const policy = await (await policyRoute(request('/api/mp/policy', { headers: device }))).json();
    expect(policy.siteCode).toBe('S01');
    expect(policy.deployments).toEqual([
      expect.objectContaining({
        deploymentId,
        packageName: 'Office',
        programName: 'Install',
        commandLine: 'setup.exe /configure office.xml',
        mandatoryAt: new Date(now + hour).toISOString(),
        runConditions: expect.objectContaining({ retries: 2 }),
      }),
    ]);
    const audit = await pool().query(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    expect(audit.rows.some((r) => r.m.includes(`${deploymentId} Office 2024`))).toBe(true);

    const listed = async () =>
      ((await (await listDeployments(request('/api/deployments', { headers: analyst.headers }))).json()).rows as DeploymentRow[])[0];
    expect(await listed()).toMatchObject({ deploymentId, state: 'ACTIVE', targeted: 1, statusCounts: { NONE: 1 } });

    // The client list follows the collection until expiry: a device that joins is targeted (None), one that leaves unreported is dropped.
    const other = await registerDevice({
      siteCode: 'S01',
      input: { name: 'NYC-WS-0043', osName: 'Windows 11 Enterprise', osVersion: '10.0', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
      address: '10.0.0.43',
      approvalMode: 'automatic',
    });
    await pool().query(`INSERT INTO collection_rule (collection_id, kind, device_id) VALUES ($1, 'DIRECT', $2)`, [collectionId, other.deviceId]);
    await evaluateCollections({ db: pool() });
    expect(await listed()).toMatchObject({ targeted: 2, statusCounts: { NONE: 2 } });
    await pool().query(`DELETE FROM collection_rule WHERE device_id = $1`, [other.deviceId]);
    await evaluateCollections({ db: pool() });
    expect(await listed()).toMatchObject({ targeted: 1, statusCounts: { NONE: 1 } });

    // Extend the expiration by a day.
    const patch = (body: unknown) =>
      patchDeployment(request(`/api/deployments/${id}`, { method: 'PATCH', headers: operator.headers, body }), withParams({ id: String(id) }));
    const bad = await patch({
      name: 'Office 2024',
      availableAt: new Date(now - hour).toISOString(),
      mandatoryAt: new Date(now + 3 * hour).toISOString(),
      expiresAt: new Date(now + 2 * hour).toISOString(),
    });
    expect((await bad.json()).error.fields).toEqual([{ path: 'expiresAt', message: 'must be after the mandatory time' }]);
    const extended = await patch({
      name: 'Office 2024',
      availableAt: new Date(now - hour).toISOString(),
      mandatoryAt: new Date(now + hour).toISOString(),
      expiresAt: new Date(now + 26 * hour).toISOString(),
    });
    expect(extended.status).toBe(200);
    const after = await (await policyRoute(request('/api/mp/policy', { headers: device }))).json();
    expect(after.deployments[0].expiresAt).toBe(new Date(now + 26 * hour).toISOString());

    // Expired: withdrawn from policy and closed to changes.
    await pool().query(`UPDATE deployment SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    expect((await (await policyRoute(request('/api/mp/policy', { headers: device }))).json()).deployments).toEqual([]);
    await expireDeployments();
    expect((await patch({ name: 'Office 2024', availableAt: new Date(now - hour).toISOString() })).status).toBe(409);

    const csv = await clientsCsv(
      request(`/api/deployments/${id}/clients.csv?status=NONE`, { headers: analyst.headers }),
      withParams({ id: String(id) }),
    );
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="deployment-${deploymentId}-clients.csv"`);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toEqual(['Device,Site,Status,Exit code,Last report (client time),Received,Message ID,Late', 'NYC-WS-0042,S01,None,,,,,']);
    const badFilter = await clientsCsv(
      request(`/api/deployments/${id}/clients.csv?status=DONE`, { headers: analyst.headers }),
      withParams({ id: String(id) }),
    );
    expect(badFilter.status).toBe(400);
    expect((await badFilter.json()).error.fields[0].path).toBe('status');
  });
});
