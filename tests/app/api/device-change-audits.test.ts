import { beforeAll, describe, expect, it } from 'vitest';
import { POST as setApproval } from '@/app/api/devices/[id]/approval/route';
import { DELETE as deleteDevice } from '@/app/api/devices/[id]/route';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const deviceRow = async (id: number) =>
  (await pool().query(`SELECT name, approval::text AS approval, approved_by, revoked_at FROM device WHERE id = $1`, [id])).rows[0];

describe('device changes and their audits', () => {
  let admin: TestSession;
  let deviceId: number;

  beforeAll(async () => {
    await useTestDatabase();
    admin = await signInAs('FULL_ADMINISTRATOR');
    const { rows: site } = await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now()) RETURNING id`);
    const { rows } = await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       VALUES ($1, 'WS-1', 'Windows 11', '10.0', 'WORKSTATION', 'PENDING', now()) RETURNING id`,
      [site[0].id],
    );
    deviceId = rows[0].id;
  });

  const approve = (approval: string) =>
    setApproval(
      request('/api/devices/x/approval', { method: 'POST', headers: admin.headers, body: { approval } }),
      withParams({ id: String(deviceId) }),
    );
  const remove = () => deleteDevice(request('/api/devices/x', { method: 'DELETE', headers: admin.headers }), withParams({ id: String(deviceId) }));

  it('makes no approval, revocation or deletion whose audit the database refuses: the device stays as it was', async () => {
    const before = await deviceRow(deviceId);
    const answers = await withAuditsRefused(async () => [await approve('APPROVED'), await approve('REVOKED'), await remove()]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(await deviceRow(deviceId)).toEqual(before);
  });

  it('audits each device change once it is made', async () => {
    const audits = await auditCount();
    expect((await approve('APPROVED')).status).toBe(200);
    expect(await deviceRow(deviceId)).toMatchObject({ approval: 'APPROVED', approved_by: admin.userName });
    expect((await approve('REVOKED')).status).toBe(200);
    expect((await remove()).status).toBe(200);
    expect(await deviceRow(deviceId)).toBeUndefined();
    expect(await auditCount()).toBe(audits + 3);
  });
});
