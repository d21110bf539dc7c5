import { beforeAll, describe, expect, it } from 'vitest';
import { GET as policy } from '@/app/api/mp/policy/route';
import { pool } from '@/lib/db/pool';
import { registerDevice } from '@/lib/devices/register-device';
import { setDeviceApproval } from '@/lib/devices/set-device-approval';
import { request } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

describe('GET /api/mp/policy', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  });

  it('gives a registered device its policy and refuses everyone else', async () => {
    const reg = await registerDevice({
      siteCode: 'S01',
      input: { name: 'NYC-WS-0007', osName: 'Windows 11 Enterprise', osVersion: '10.0.26100', osKind: 'WORKSTATION', clientVersion: '5.00' },
      address: '10.0.0.7',
      approvalMode: 'automatic',
    });
    const auth = { authorization: `Device ${reg.deviceId}.${reg.secret}` };
    const ok = await policy(request('/api/mp/policy', { headers: auth }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ deviceName: 'NYC-WS-0007', clientAgent: { policyPollingMinutes: 60 }, deployments: [] });

    expect((await policy(request('/api/mp/policy'))).status).toBe(401);
    const forged = { authorization: `Device ${reg.deviceId}.${'Z'.repeat(43)}` };
    expect((await policy(request('/api/mp/policy', { headers: forged }))).status).toBe(401);

    await setDeviceApproval({ actor, deviceId: reg.deviceId, approval: 'REVOKED' });
    const revoked = await policy(request('/api/mp/policy', { headers: auth }));
    expect(revoked.status).toBe(403);
    expect((await revoked.json()).error.message).toMatch(/revoked/);
  });
});
