import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { registerDevice } from '@/lib/devices/register-device';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const input = {
  name: 'NYC-WS-7001',
  osName: 'Windows 11 Enterprise',
  osVersion: '10.0.26100',
  osKind: 'WORKSTATION' as const,
  ipAddress: '10.10.16.41',
  clientVersion: '5.00.9132.1000',
};
const register = () => registerDevice({ siteCode: 'S01', input, address: '10.10.16.41', approvalMode: 'automatic' });

describe('a registration and its audit', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  });

  it('registers nothing when the audit is refused, so the client registers when it tries again instead of finding its name taken', async () => {
    await expect(withAuditsRefused(register)).rejects.toThrow('audit refused');
    expect((await pool().query(`SELECT 1 FROM device WHERE name = $1`, [input.name])).rowCount).toBe(0);

    const audits = await auditCount();
    const registration = await register();
    expect(registration.approval).toBe('APPROVED');
    const { rows } = await pool().query(`SELECT id, credential_hash IS NOT NULL AS credential, client_version FROM device WHERE name = $1`, [
      input.name,
    ]);
    expect(rows).toEqual([{ id: registration.deviceId, credential: true, client_version: input.clientVersion }]);
    expect(await auditCount()).toBe(audits + 1);
  });
});
