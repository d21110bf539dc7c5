import { beforeAll, describe, expect, it } from 'vitest';
import { POST as discardRoute } from '@/app/api/quarantine/[id]/discard/route';
import { POST as retryRoute } from '@/app/api/quarantine/[id]/retry/route';
import { GET as listRoute } from '@/app/api/quarantine/route';
import { pool } from '@/lib/db/pool';
import { quarantineItem } from '@/lib/quarantine/quarantine-item';
import { STATUS_INBOX_QUARANTINE } from '@/lib/status/process-status-batch';
import { testMessage, wire } from '../../lib/status/fixtures';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';

let admin: TestSession;
let analyst: TestSession;

beforeAll(async () => {
  await useTestDatabase();
  admin = await signInAs('FULL_ADMINISTRATOR');
  analyst = await signInAs('READ_ONLY_ANALYST');
});

/** A message set aside by Status Manager; `properties` as given (a lone surrogate by default, or fixed). */
async function quarantined(properties: Record<string, string> = { '\udfff': 'v' }) {
  const message = { ...wire(testMessage()), properties };
  const error = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
  return quarantineItem({ source: STATUS_INBOX_QUARANTINE, itemKey: message.uid, item: message, error });
}

const inboxText = async () =>
  (await pool().query<{ t: string }>(`SELECT coalesce(string_agg(messages::text, ''), '') AS t FROM status_inbox`)).rows[0].t;

describe('/api/quarantine', () => {
  it('lists quarantined items to any console user', async () => {
    const item = await quarantined();
    const response = await listRoute(request('/api/quarantine', { headers: analyst.headers }));
    expect(response.status).toBe(200);
    const page = await response.json();
    expect(page.rows).toContainEqual(
      expect.objectContaining({ id: item.id, source: 'status-manager.inbox', error: 'invalid input syntax for type json', errorCode: '22P02' }),
    );
  });

  it('refuses retry and discard to a role that may not change site settings, and a malformed id or query', async () => {
    const item = await quarantined();
    for (const handler of [retryRoute, discardRoute]) {
      const response = await handler(
        request(`/api/quarantine/${item.id}/x`, { method: 'POST', headers: analyst.headers }),
        withParams({ id: item.id }),
      );
      expect(response.status).toBe(403);
    }
    const bad = await discardRoute(request('/api/quarantine/abc/discard', { method: 'POST', headers: admin.headers }), withParams({ id: 'abc' }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toEqual([expect.objectContaining({ path: 'id' })]);
    const badQuery = await listRoute(request('/api/quarantine?limit=0', { headers: admin.headers }));
    expect(badQuery.status).toBe(400);
    const missing = await discardRoute(
      request('/api/quarantine/999999/discard', { method: 'POST', headers: admin.headers }),
      withParams({ id: '999999' }),
    );
    expect(missing.status).toBe(404);
    const { rows } = await pool().query(`SELECT state::text FROM quarantined_item WHERE id = $1`, [item.id]);
    expect(rows[0].state).toBe('QUARANTINED');
  });

  it('retries and discards for an administrator, audited with their name', async () => {
    // Since set aside, it was fixed: retry passes the door's checks again.
    const retried = await quarantined({ fixed: 'v' });
    const discarded = await quarantined();
    const retry = await retryRoute(
      request(`/api/quarantine/${retried.id}/retry`, { method: 'POST', headers: admin.headers }),
      withParams({ id: retried.id }),
    );
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ id: retried.id, state: 'RETRIED' });
    const discard = await discardRoute(
      request(`/api/quarantine/${discarded.id}/discard`, { method: 'POST', headers: admin.headers }),
      withParams({ id: discarded.id }),
    );
    expect(await discard.json()).toEqual({ id: discarded.id, state: 'DISCARDED' });
    const again = await discardRoute(
      request(`/api/quarantine/${discarded.id}/discard`, { method: 'POST', headers: admin.headers }),
      withParams({ id: discarded.id }),
    );
    expect(again.status).toBe(409);

    const inbox = await inboxText();
    // The retried message is back in Status Manager's inbox; both decisions are audited.
    expect(inbox).toContain(retried.itemKey);
    expect(inbox).toContain(`"RetryQuarantinedItem"`);
    expect(inbox).toContain(`"DiscardQuarantinedItem"`);
    expect(inbox).toContain(`"UserName":"${admin.userName}"`);
  });
});
