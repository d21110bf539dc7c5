import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { expireDeployments } from '@/lib/deployments/expire-deployments';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { useTestDatabase } from '../../support/database';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.9' };
let programId: number;
let collectionId: number;

async function dueDeployment(deploymentId: string) {
  await pool().query(
    `INSERT INTO deployment (deployment_id, name, program_id, collection_id, available_at, expires_at, created_by, updated_at)
     VALUES ($1::text, $1::text, $2, $3, now() - interval '2 hours', now() - interval '1 minute', 'admin', now())`,
    [deploymentId, programId, collectionId],
  );
}

const expiredIds = async () =>
  (await pool().query<{ deployment_id: string }>(`SELECT deployment_id FROM deployment WHERE expired_at IS NOT NULL ORDER BY id`)).rows.map(
    (r) => r.deployment_id,
  );

describe('deployment expiry with a deployment the database refuses', () => {
  beforeAll(async () => {
    await useTestDatabase();
    const pkg = await pool().query(`INSERT INTO package (package_id, name, updated_at) VALUES ('S0100001', 'Office', now()) RETURNING id`);
    const program = await pool().query(
      `INSERT INTO program (package_id, name, command_line, updated_at) VALUES ($1, 'Install', 'setup.exe', now()) RETURNING id`,
      [pkg.rows[0].id],
    );
    programId = program.rows[0].id;
    const collection = await pool().query(
      `INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100099', 'Pilot', now()) RETURNING id`,
    );
    collectionId = collection.rows[0].id;
  });

  it('expires the others, sets it aside and skips it until retried', async () => {
    for (const id of ['S0120001', 'S0120002', 'S0120003']) await dueDeployment(id);
    // The database refuses to mark this one expired (23514), as it would any row it cannot take.
    await pool().query(`ALTER TABLE deployment ADD CONSTRAINT refuses_s0120002 CHECK (deployment_id <> 'S0120002' OR expired_at IS NULL)`);

    expect((await expireDeployments()).map((d) => d.deploymentId)).toEqual(['S0120001', 'S0120003']);
    expect(await expiredIds()).toEqual(['S0120001', 'S0120003']);
    const { rows } = await pool().query(`SELECT id::text, item_key, error_code, attempts FROM quarantined_item WHERE source = 'deployments.expiry'`);
    expect(rows).toEqual([{ id: expect.any(String), item_key: 'S0120002', error_code: '23514', attempts: 1 }]);

    // Skipped while it waits for a decision.
    expect(await expireDeployments()).toEqual([]);
    expect((await pool().query(`SELECT attempts FROM quarantined_item WHERE id = $1`, [rows[0].id])).rows[0].attempts).toBe(1);

    await pool().query(`ALTER TABLE deployment DROP CONSTRAINT refuses_s0120002`);
    await decideQuarantinedItem({ id: rows[0].id, action: 'retry', actor });
    expect((await expireDeployments()).map((d) => d.deploymentId)).toEqual(['S0120002']);
  });
});
