// POST/GET /api/client-operations and the drill-down against a real database: the start answers with
// the targets fixed (revoked clients left out, online counted), and the counts and per-device list are
// right before and after the per-target rows are written.
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as cancel } from '@/app/api/client-operations/[id]/cancel/route';
import { GET as getOperation } from '@/app/api/client-operations/[id]/route';
import { GET as getTargets } from '@/app/api/client-operations/[id]/targets/route';
import { GET as estimate } from '@/app/api/client-operations/estimate/route';
import { GET as list, POST as start } from '@/app/api/client-operations/route';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { pool } from '@/lib/db/pool';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import { clientActionLabels, clientActions } from '@/lib/protocol/agent-protocol.schema';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';

let operator: TestSession;
let analyst: TestSession;
let collectionId: number;
let deviceIds: number[];

beforeAll(async () => {
  await useTestDatabase();
  operator = await signInAs('OPERATIONS_ADMINISTRATOR');
  analyst = await signInAs('READ_ONLY_ANALYST');
  const fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'API-OP-', count: 5, collectionName: 'API operation clients' });
  collectionId = fleet.collectionId!;
  deviceIds = fleet.deviceIds;
  await pool().query(`UPDATE device SET online = true WHERE id = ANY($1::int[])`, [deviceIds.slice(0, 2)]);
  await pool().query(`UPDATE device SET approval = 'REVOKED' WHERE id = $1`, [deviceIds[4]]);
});

const post = (session: TestSession, body: unknown) => start(request('/api/client-operations', { method: 'POST', headers: session.headers, body }));

describe('/api/client-operations', () => {
  it('starts on a collection: total without revoked clients, online at start, every target waiting', async () => {
    const res = await post(operator, { action: 'QUICK_SCAN', target: { collectionId } });
    expect(res.status, await res.clone().text()).toBe(200);
    const started = await res.json();
    expect(started).toMatchObject({ total: 4, onlineAtStart: 2 });

    const page = await (await list(request('/api/client-operations', { headers: analyst.headers }))).json();
    const row = page.rows.find((r: { id: number }) => r.id === started.id);
    expect(row).toMatchObject({ total: 4, onlineAtStart: 2, targetName: 'API operation clients' });
    expect(row.counts).toMatchObject({ inProgress: 0, waiting: 4, expired: 0, cancelled: 0, status: 'RUNNING' });

    const targets = await (
      await getTargets(request(`/api/client-operations/${started.id}/targets`, { headers: analyst.headers }), withParams({ id: String(started.id) }))
    ).json();
    expect(targets.total).toBe(4);
    expect(targets.rows.map((t: { deviceId: number; state: string }) => [t.deviceId, t.state])).toEqual(
      deviceIds.slice(0, 4).map((id) => [id, 'WAITING']),
    );

    const detail = await (
      await getOperation(request(`/api/client-operations/${started.id}`, { headers: analyst.headers }), withParams({ id: String(started.id) }))
    ).json();
    expect(detail.counts).toMatchObject({ waiting: 4, status: 'RUNNING' });
    expect(detail.states).toMatchObject({ WAITING: 4 });
  });

  it.each(['HARDWARE_INVENTORY_CYCLE', 'SOFTWARE_INVENTORY_CYCLE', 'DISCOVERY_DATA_COLLECTION_CYCLE'] as const)(
    'starts %s on a collection, lists it and audits it by its name',
    async (action) => {
      expect(clientActions).toContain(action);
      const res = await post(operator, { action, target: { collectionId } });
      expect(res.status, await res.clone().text()).toBe(200);
      const started = await res.json();
      expect(started).toMatchObject({ total: 4, onlineAtStart: 2 });

      const page = await (await list(request('/api/client-operations', { headers: analyst.headers }))).json();
      expect(page.rows[0]).toMatchObject({ id: started.id, action, targetName: 'API operation clients', total: 4 });
      expect(page.rows[0].counts).toMatchObject({ waiting: 4, status: 'RUNNING' });
      const { rows: stored } = await pool().query(`SELECT action::text FROM client_operation WHERE id = $1`, [started.id]);
      expect(stored[0].action).toBe(action);
      // The audit message names the action as the console shows it.
      const { rows: audits } = await pool().query<{ m: string }>(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
      expect(audits.filter((r) => r.m.includes(`${clientActionLabels[action]} on API operation clients`))).toHaveLength(1);
    },
  );

  it('takes device names typed in any letter case, as registration treats computer names', async () => {
    const typed = ['api-op-00001', 'Api-Op-00002', 'NOBODY'];
    const estimated = await estimate(request(`/api/client-operations/estimate?deviceNames=${typed.join(',')}`, { headers: operator.headers }));
    expect(await estimated.json()).toMatchObject({ total: 2, unknownDevices: ['NOBODY'] });
    const res = await post(operator, { action: 'QUICK_SCAN', target: { deviceNames: typed } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ total: 2 });
  });

  it('refuses to cancel an operation every client has answered, and leaves it completed', async () => {
    const started = await (await post(operator, { action: 'QUICK_SCAN', target: { deviceIds: deviceIds.slice(0, 2) } })).json();
    await materializeOperationTargets({ db: pool(), operationIds: [started.id] });
    await pool().query(`UPDATE client_operation_target SET state = 'SUCCEEDED', completed_at = now() WHERE operation_id = $1`, [started.id]);
    const refused = await cancel(
      request(`/api/client-operations/${started.id}/cancel`, { method: 'POST', headers: operator.headers }),
      withParams({ id: String(started.id) }),
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toBe('Every client has answered; there is nothing left to cancel.');
    const detail = await (
      await getOperation(request(`/api/client-operations/${started.id}`, { headers: analyst.headers }), withParams({ id: String(started.id) }))
    ).json();
    expect(detail).toMatchObject({ cancelledAt: null, counts: { succeeded: 2, status: 'COMPLETED' } });
  });

  it('refuses an action it does not know, naming the field', async () => {
    const res = await post(operator, { action: 'REBOOT', target: { collectionId } });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.fields.map((f: { path: string }) => f.path)).toEqual(['action']);
  });

  it('refuses a read-only analyst and a collection with no clients that can receive it', async () => {
    expect((await post(analyst, { action: 'QUICK_SCAN', target: { collectionId } })).status).toBe(403);
    const { rows } = await pool().query(
      `INSERT INTO collection (collection_id, name, updated_at) VALUES ('API00002', 'API empty', now()) RETURNING id`,
    );
    const res = await post(operator, { action: 'QUICK_SCAN', target: { collectionId: rows[0].id } });
    expect(res.status).toBe(400);
    const { rows: operations } = await pool().query(`SELECT count(*)::int AS n FROM client_operation WHERE target_name = 'API empty'`);
    expect(operations[0].n).toBe(0);
  });

  it('answers 503 only when nothing was committed: a start or a cancel whose audit is cut under it is undone, so sending it again does it once', async () => {
    // The audit's write ends its own connection, as pg_terminate_backend or a dying database would
    // between the operation's commit and its audit.
    await pool().query(`CREATE FUNCTION cut_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.origin::text = 'audit' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NEW;
      END $$`);
    const cutAudits = (on: boolean) =>
      pool().query(
        on
          ? `CREATE TRIGGER cut_audit BEFORE INSERT ON status_inbox FOR EACH ROW EXECUTE FUNCTION cut_audit()`
          : `DROP TRIGGER cut_audit ON status_inbox`,
      );
    const operations = async () => (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM client_operation`)).rows[0].n;
    const before = await operations();

    await cutAudits(true);
    const cut = await post(operator, { action: 'FULL_SCAN', target: { collectionId } });
    expect(cut.status, await cut.clone().text()).toBe(503);
    await cutAudits(false);
    expect(await operations()).toBe(before);

    const again = await post(operator, { action: 'FULL_SCAN', target: { collectionId } });
    expect(again.status, await again.clone().text()).toBe(200);
    const { id } = await again.json();
    expect(await operations()).toBe(before + 1);

    const cancelIt = () =>
      cancel(request(`/api/client-operations/${id}/cancel`, { method: 'POST', headers: operator.headers }), withParams({ id: String(id) }));
    await cutAudits(true);
    expect((await cancelIt()).status).toBe(503);
    await cutAudits(false);
    const { rows } = await pool().query(`SELECT cancelled_at FROM client_operation WHERE id = $1`, [id]);
    expect(rows[0].cancelled_at).toBeNull();
    const cancelled = await cancelIt();
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    const { rows: audits } = await pool().query<{ m: string }>(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    const audited = (verb: string) =>
      audits.filter((r) => r.m.includes(verb) && r.m.includes(`${clientActionLabels.FULL_SCAN} on API operation clients`));
    expect(audited('StartClientOperation')).toHaveLength(1);
    expect(audited('CancelClientOperation')).toHaveLength(1);
  });
});
