// Values the database cannot hold — NUL in text, ids beyond their column, dates PostgreSQL cannot
// read or that do not exist — are refused by every route with a 400 naming the field (or 401/404),
// never answered with a 500.
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { POST as startOperation } from '@/app/api/client-operations/route';
import { GET as getOperation } from '@/app/api/client-operations/[id]/route';
import { POST as cancelOperation } from '@/app/api/client-operations/[id]/cancel/route';
import { GET as estimate } from '@/app/api/client-operations/estimate/route';
import { POST as createCollection } from '@/app/api/collections/route';
import { GET as getCollection, PATCH as editCollection } from '@/app/api/collections/[id]/route';
import { POST as evaluateCollection } from '@/app/api/collections/[id]/evaluate/route';
import { POST as previewCollection } from '@/app/api/collections/preview/route';
import { GET as componentStatus } from '@/app/api/component-status/route';
import { POST as createDeployment } from '@/app/api/deployments/route';
import { GET as getDeployment, PATCH as editDeployment } from '@/app/api/deployments/[id]/route';
import { POST as setApproval } from '@/app/api/devices/[id]/approval/route';
import { GET as policy } from '@/app/api/mp/policy/route';
import { POST as register } from '@/app/api/mp/register/route';
import { POST as createPackage } from '@/app/api/packages/route';
import { POST as submitChange } from '@/app/api/site-settings/changes/route';
import { POST as createRule } from '@/app/api/status-filter-rules/route';
import { PATCH as editRule } from '@/app/api/status-filter-rules/[id]/route';
import { POST as saveQuery } from '@/app/api/status-message-queries/route';
import { GET as listMessages } from '@/app/api/status-messages/route';
import { GET as exportCsv } from '@/app/api/status-messages/export.csv/route';
import { GET as getMessage } from '@/app/api/status-messages/[id]/route';
import { POST as createUser } from '@/app/api/users/route';
import { PATCH as editUser } from '@/app/api/users/[id]/route';
import { POST as resetPassword } from '@/app/api/users/[id]/reset-password/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

type Handler = (req: ReturnType<typeof request>, ctx?: ReturnType<typeof withParams>) => Promise<Response>;

const HUGE = 3_000_000_000;
const SECRET = 'A'.repeat(43);
let admin: TestSession;
let collectionId = 0;
let deploymentId = 0;
let programId = 0;
let ruleId = 0;
let userId = 0;
let deviceId = 0;
let serial = 0;

async function call(
  handler: Handler,
  path: string,
  options: { method?: string; body?: unknown; params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const res = await handler(
    request(path, { method, body: options.body, headers: options.headers ?? admin.headers }),
    withParams(options.params ?? {}),
  );
  const text = await res.text();
  let json: { error?: { message: string; fields?: { path: string; message: string }[] } } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // A CSV or an empty body.
  }
  return { status: res.status, fields: (json.error?.fields ?? []).map((f) => f.path), message: json.error?.message ?? '' };
}

/** Asserts a 400 naming `field`. */
async function refused(answer: Promise<{ status: number; fields: string[]; message: string }>, field: string) {
  const { status, fields, message } = await answer;
  expect({ status, named: fields.includes(field) || message.startsWith(`${field}:`) }, `${field}: ${message} ${fields}`).toEqual({
    status: 400,
    named: true,
  });
}

const nul = (text: string) => `${text}\u0000x`;

describe('the API boundary', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 20 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    const db = pool();
    collectionId = (await db.query(`SELECT id FROM collection WHERE NOT built_in ORDER BY id LIMIT 1`)).rows[0].id;
    deviceId = (await db.query(`SELECT id FROM device ORDER BY id LIMIT 1`)).rows[0].id;
    serial = (await db.query(`SELECT serial FROM site_control ORDER BY id LIMIT 1`)).rows[0].serial;
    userId = admin.userId;
    expect((await call(createRule, '/api/status-filter-rules', { body: { name: 'Boundary rule' } })).status).toBeLessThan(300);
    ruleId = (await db.query(`SELECT id FROM status_filter_rule WHERE name = 'Boundary rule'`)).rows[0].id;
    const pkg = { name: 'Boundary package', programs: [{ name: 'Install', commandLine: 'setup.exe /q' }] };
    expect((await call(createPackage, '/api/packages', { body: pkg })).status).toBeLessThan(300);
    programId = (await db.query(`SELECT p.id FROM program p JOIN package k ON k.id = p.package_id WHERE k.name = 'Boundary package'`)).rows[0].id;
    const deployment = { name: 'Boundary deployment', programId, collectionId, availableAt: '2026-01-01T00:00:00Z' };
    expect((await call(createDeployment, '/api/deployments', { body: deployment })).status).toBeLessThan(300);
    deploymentId = (await db.query(`SELECT id FROM deployment WHERE name = 'Boundary deployment'`)).rows[0].id;
  });

  it('refuses NUL in free text with a 400 naming the field', async () => {
    await refused(call(signIn, '/api/auth/sign-in', { body: { userName: nul('admin'), password: 'whatever-it-is' }, headers: {} }), 'userName');
    await refused(
      call(register, '/api/mp/register', {
        body: { name: 'WKS-NUL', osName: nul('Windows'), osVersion: '10.0', osKind: 'WORKSTATION', clientVersion: '5.00' },
        headers: {},
      }),
      'osName',
    );
    await refused(
      call(submitChange, '/api/site-settings/changes', { body: { baseSerial: serial, changes: { 'site.name': nul('Central') } } }),
      'changes.site.name',
    );
    await refused(call(createRule, '/api/status-filter-rules', { body: { name: nul('rule') } }), 'name');
    await refused(call(createCollection, '/api/collections', { body: { name: nul('Servers') } }), 'name');
    await refused(
      call(previewCollection, '/api/collections/preview', {
        body: { rules: [{ kind: 'QUERY', query: { conditions: [{ field: 'name', pattern: nul('WKS*') }] } }] },
      }),
      'rules.0.query.conditions.0.pattern',
    );
    await refused(call(createPackage, '/api/packages', { body: { name: nul('Office') } }), 'name');
    await refused(
      call(createDeployment, '/api/deployments', {
        body: { name: nul('Roll-out'), programId, collectionId, availableAt: '2026-01-01T00:00:00Z' },
      }),
      'name',
    );
    await refused(call(saveQuery, '/api/status-message-queries', { body: { name: nul('Errors'), criteria: {} } }), 'name');
    await refused(
      call(createUser, '/api/users', { body: { userName: 'someone', displayName: nul('Some One'), role: 'READ_ONLY_ANALYST' } }),
      'displayName',
    );
    await refused(
      call(editUser, `/api/users/${userId}`, { method: 'PATCH', body: { displayName: nul('Me') }, params: { id: String(userId) } }),
      'displayName',
    );
    await refused(
      call(startOperation, '/api/client-operations', { body: { action: 'QUICK_SCAN', target: { deviceNames: [nul('WKS')] } } }),
      'target.deviceNames.0',
    );
    await refused(call(estimate, `/api/client-operations/estimate?deviceNames=${encodeURIComponent(nul('WKS'))}`), 'deviceNames');
  });

  it('refuses NUL in a filter rule patch', async () => {
    await refused(
      call(editRule, `/api/status-filter-rules/${ruleId}`, { method: 'PATCH', body: { name: nul('rule') }, params: { id: String(ruleId) } }),
      'name',
    );
  });

  it('refuses ids beyond their column with a 400 naming the field', async () => {
    const big = String(HUGE);
    await refused(call(getCollection, `/api/collections/${big}`, { params: { id: big } }), 'id');
    await refused(call(evaluateCollection, `/api/collections/${big}/evaluate`, { method: 'POST', params: { id: big } }), 'id');
    await refused(call(getDeployment, `/api/deployments/${big}`, { params: { id: big } }), 'id');
    await refused(call(getOperation, `/api/client-operations/${big}`, { params: { id: big } }), 'id');
    await refused(call(cancelOperation, `/api/client-operations/${big}/cancel`, { method: 'POST', params: { id: big } }), 'id');
    await refused(call(editUser, `/api/users/${big}`, { method: 'PATCH', body: { displayName: 'x' }, params: { id: big } }), 'id');
    await refused(call(resetPassword, `/api/users/${big}/reset-password`, { method: 'POST', params: { id: big } }), 'id');
    await refused(call(setApproval, `/api/devices/${big}/approval`, { body: { approval: 'APPROVED' }, params: { id: big } }), 'id');
    await refused(call(getMessage, '/api/status-messages/9999999999999999999', { params: { id: '9999999999999999999' } }), 'id');
    await refused(call(estimate, `/api/client-operations/estimate?collectionId=${big}`), 'collectionId');

    await refused(
      call(editCollection, `/api/collections/${collectionId}`, {
        method: 'PATCH',
        body: { name: 'Ranged', rules: [{ kind: 'DIRECT', deviceId: HUGE }] },
        params: { id: String(collectionId) },
      }),
      'rules.0.deviceId',
    );
    await refused(
      call(createCollection, '/api/collections', { body: { name: 'Ranged', rules: [{ kind: 'INCLUDE', collectionId: HUGE }] } }),
      'rules.0.collectionId',
    );
    await refused(
      call(createDeployment, '/api/deployments', { body: { name: 'Ranged', programId: HUGE, collectionId, availableAt: '2026-01-01T00:00:00Z' } }),
      'programId',
    );
    await refused(
      call(startOperation, '/api/client-operations', { body: { action: 'QUICK_SCAN', target: { deviceIds: [deviceId, HUGE] } } }),
      'target.deviceIds.1',
    );
    await refused(
      call(startOperation, '/api/client-operations', { body: { action: 'QUICK_SCAN', target: { collectionId: HUGE } } }),
      'target.collectionId',
    );
  });

  it('answers an unknown collection to evaluate with 404', async () => {
    expect((await call(evaluateCollection, '/api/collections/999999/evaluate', { method: 'POST', params: { id: '999999' } })).status).toBe(404);
    expect(
      (await call(evaluateCollection, `/api/collections/${collectionId}/evaluate`, { method: 'POST', params: { id: String(collectionId) } })).status,
    ).toBe(200);
  });

  it('treats a credential whose id no column holds as unknown (401)', async () => {
    for (const authorization of [`Device 9999999999.${SECRET}`, `SiteSystem 9999999999.${SECRET}`]) {
      expect((await call(policy, '/api/mp/policy', { headers: { authorization } })).status).toBe(401);
    }
  });

  it('refuses dates PostgreSQL cannot read and cursors it did not give out, before streaming', async () => {
    const early = encodeURIComponent('-271821-04-20T00:00:00.000Z');
    await refused(call(listMessages, `/api/status-messages?from=${early}`), 'from');
    await refused(call(exportCsv, `/api/status-messages/export.csv?from=${early}`), 'from');
    await refused(call(listMessages, '/api/status-messages?to=275760-09-13T00:00:00.000Z'), 'to');
    await refused(call(listMessages, '/api/status-messages?cursor=MXwx'), 'cursor');
    const ok = await call(listMessages, '/api/status-messages?from=2026-01-01T00:00:00Z');
    expect(ok.status).toBe(200);

    for (const availableAt of ['-271821-04-20T00:00:00.000Z', -8.64e15, '2026-02-30T10:00:00Z']) {
      await refused(call(createDeployment, '/api/deployments', { body: { name: 'Dated', programId, collectionId, availableAt } }), 'availableAt');
    }
    await refused(
      call(editDeployment, `/api/deployments/${deploymentId}`, {
        method: 'PATCH',
        body: { name: 'Dated', availableAt: '2026-01-01T00:00:00Z', expiresAt: -8.64e15 },
        params: { id: String(deploymentId) },
      }),
      'expiresAt',
    );
  });

  it('refuses impossible dates instead of rolling them over', async () => {
    await refused(call(componentStatus, '/api/component-status?interval=SINCE_DATE&since=2026-13-45T99:00'), 'since');
    await refused(call(componentStatus, '/api/component-status?interval=SINCE_DATE&since=2026-02-30T10:00'), 'since');
    expect((await call(componentStatus, '/api/component-status?interval=SINCE_DATE&since=2026-02-28T10:00')).status).toBe(200);
    await refused(call(listMessages, '/api/status-messages?from=2026-02-30T10:00:00Z'), 'from');
    await refused(call(listMessages, '/api/status-messages?from=2026-13-45T99:00'), 'from');
  });
});
