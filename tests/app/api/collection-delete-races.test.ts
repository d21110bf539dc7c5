// A collection deleted at the same moment as a deployment or a client operation is started on it:
// each request gets a 2xx or a 4xx that names what happened, never a 500 from the foreign key, and
// nothing is left pointing at a collection that is gone.
import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteCollection } from '@/app/api/collections/[id]/route';
import { POST as createCollection } from '@/app/api/collections/route';
import { POST as startOperation } from '@/app/api/client-operations/route';
import { POST as createDeployment } from '@/app/api/deployments/route';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

let admin: TestSession;
let deviceId: number;
let programId: number;

beforeAll(async () => {
  await useTestDatabase();
  admin = await signInAs('FULL_ADMINISTRATOR');
  const fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'RACE-', count: 1 });
  deviceId = fleet.deviceIds[0];
  const pkg = await pool().query(`INSERT INTO package (package_id, name, updated_at) VALUES ('S0100001', 'P', now()) RETURNING id`);
  const program = await pool().query(
    `INSERT INTO program (package_id, name, command_line, updated_at) VALUES ($1, 'Install', 'setup.sh', now()) RETURNING id`,
    [pkg.rows[0].id],
  );
  programId = program.rows[0].id;
});

describe('a collection deleted while something is started on it', () => {
  it('answers the start 2xx or 4xx, never 500, for a deployment or a client operation', async () => {
    for (let i = 0; i < 15; i++) {
      const created = await createCollection(
        request('/api/collections', { method: 'POST', headers: admin.headers, body: { name: `Race ${i}`, rules: [{ kind: 'DIRECT', deviceId }] } }),
      );
      const { id } = (await created.json()) as { id: number };
      const [deleted, deployment, operation] = await Promise.all([
        deleteCollection(request(`/api/collections/${id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) })),
        createDeployment(
          request('/api/deployments', {
            method: 'POST',
            headers: admin.headers,
            body: { name: `Race ${i}`, programId, collectionId: id, availableAt: '2026-01-01T00:00:00Z' },
          }),
        ),
        startOperation(
          request('/api/client-operations', { method: 'POST', headers: admin.headers, body: { action: 'QUICK_SCAN', target: { collectionId: id } } }),
        ),
      ]);
      for (const answer of [deleted, deployment, operation]) expect([200, 201, 400, 404, 409]).toContain(answer.status);
      for (const answer of [deployment, operation]) {
        if (answer.status >= 400) expect((await answer.json()).error.message).toMatch(/collection/i);
      }
      // Deleted only when no deployment was stored on it.
      const stored = await pool().query(`SELECT count(*)::int AS n FROM deployment WHERE name = $1`, [`Race ${i}`]);
      expect(deleted.status === 200 ? 0 : 1).toBe(stored.rows[0].n);
    }
  });
});
