import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { authenticateDevice } from '@/lib/devices/authenticate-device';
import { registerDevice } from '@/lib/devices/register-device';
import { readSiteSettings } from '@/lib/sitecontrol/read-site-settings';
import { setDeviceApproval } from '@/lib/devices/set-device-approval';
import { AppError } from '@/lib/errors';
import { useTestDatabase } from '../../support/database';
import { channels } from '@/lib/db/channels';

const input = (name: string) => ({
  name,
  osName: 'Windows 11 Enterprise',
  osVersion: '10.0.26100',
  osKind: 'WORKSTATION' as const,
  ipAddress: '10.10.16.40',
  clientVersion: '5.00.9132.1000',
});
const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('device registration and credentials', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  });

  it('registers a device, approves it automatically by default, and accepts its credential', async () => {
    const reg = await registerDevice({ siteCode: 'S01', input: input('NYC-WS-9001'), address: '10.10.16.40', approvalMode: 'automatic' });
    expect(reg.approval).toBe('APPROVED');
    await expect(authenticateDevice(`Device ${reg.deviceId}.${reg.secret}`)).resolves.toMatchObject({ name: 'NYC-WS-9001' });
    expect((await refusal(authenticateDevice(`Device ${reg.deviceId}.${'x'.repeat(43)}`))).code).toBe('UNAUTHENTICATED');
    expect((await refusal(authenticateDevice(undefined))).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a second registration under a registered name (no identity takeover)', async () => {
    expect(
      (await refusal(registerDevice({ siteCode: 'S01', input: input('NYC-WS-9001'), address: '10.9.9.9', approvalMode: 'automatic' }))).code,
    ).toBe('CONFLICT');
  });

  it('refuses a registration under a registered name in another case, the same computer name', async () => {
    const refused = await refusal(registerDevice({ siteCode: 'S01', input: input('nyc-ws-9001'), address: '10.9.9.9', approvalMode: 'automatic' }));
    expect(refused.code).toBe('CONFLICT');
    const { rows } = await pool().query(`SELECT name FROM device WHERE lower(name) = 'nyc-ws-9001'`);
    expect(rows).toEqual([{ name: 'NYC-WS-9001' }]);
  });

  it('registers one device when a name arrives in several cases at the same moment', async () => {
    const names = ['NYC-WS-9010', 'nyc-ws-9010', 'Nyc-Ws-9010', 'NYC-ws-9010', 'nyc-WS-9010', 'nYC-wS-9010'];
    const outcomes = await Promise.allSettled(
      names.map((name) => registerDevice({ siteCode: 'S01', input: input(name), address: '10.9.9.9', approvalMode: 'automatic' })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as AppError).code).toBe('CONFLICT');
    const { rows } = await pool().query(`SELECT name FROM device WHERE lower(name) = 'nyc-ws-9010'`);
    expect(rows).toHaveLength(1);
  });

  it('holds devices for approval when the site setting says manual', async () => {
    const { rows } = await pool().query(`SELECT id FROM site WHERE code = 'S01'`);
    await pool().query(
      `INSERT INTO site_control (site_id, serial, document, updated_at) VALUES ($1, 1, '{"clientApproval":{"mode":"manual"}}', now())`,
      [rows[0].id],
    );
    const approvalMode = (await readSiteSettings({ siteCode: 'S01' })).clientApproval.mode;
    expect(approvalMode).toBe('manual');
    const reg = await registerDevice({ siteCode: 'S01', input: input('NYC-WS-9002'), address: '10.10.16.41', approvalMode });
    expect(reg.approval).toBe('PENDING');
    const waiting = await refusal(authenticateDevice(`Device ${reg.deviceId}.${reg.secret}`));
    expect(waiting.code).toBe('FORBIDDEN');
    expect(waiting.userMessage).toMatch(/approval/);
    await setDeviceApproval({ actor, deviceId: reg.deviceId, approval: 'APPROVED' });
    await expect(authenticateDevice(`Device ${reg.deviceId}.${reg.secret}`)).resolves.toMatchObject({ id: reg.deviceId });
  });

  it('cuts a revoked device off and tells every management point at once', async () => {
    const reg = await registerDevice({ siteCode: 'S01', input: input('NYC-WS-9003'), address: '10.10.16.42', approvalMode: 'automatic' });
    await setDeviceApproval({ actor, deviceId: reg.deviceId, approval: 'APPROVED' });
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    await listener.query(`LISTEN ${channels.deviceRevoked}`);
    const notified = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.payload ?? '')));
    await setDeviceApproval({ actor, deviceId: reg.deviceId, approval: 'REVOKED' });
    expect(await notified).toBe(String(reg.deviceId));
    await listener.end();
    expect((await refusal(authenticateDevice(`Device ${reg.deviceId}.${reg.secret}`))).userMessage).toMatch(/revoked/);
    const audit = await pool().query(
      `SELECT m AS payload FROM status_inbox i, jsonb_array_elements(i.messages::jsonb) WITH ORDINALITY AS x(m, n)
        WHERE m->'properties'->>'ObjectName' = 'NYC-WS-9003' ORDER BY i.id, n`,
    );
    expect(audit.rows.map((r) => r.payload.insertionStrings[1])).toEqual(['Register', 'Approve', 'Revoke']);
  });
});
