import { beforeAll, describe, expect, it } from 'vitest';
import { GET as me } from '@/app/api/auth/me/route';
import { POST as changePassword } from '@/app/api/auth/password/route';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { POST as signOut } from '@/app/api/auth/sign-out/route';
import { POST as setApproval } from '@/app/api/devices/[id]/approval/route';
import { DELETE as deleteDevice } from '@/app/api/devices/[id]/route';
import { POST as register } from '@/app/api/mp/register/route';
import { PATCH as patchUser } from '@/app/api/users/[id]/route';
import { POST as resetPassword } from '@/app/api/users/[id]/reset-password/route';
import { GET as listUsers, POST as createUser } from '@/app/api/users/route';
import type { Role } from '@/lib/auth/roles';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

const roles: Role[] = ['FULL_ADMINISTRATOR', 'OPERATIONS_ADMINISTRATOR', 'READ_ONLY_ANALYST'];

describe('console sign-in over HTTP', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await signInAs('FULL_ADMINISTRATOR', 'carol');
  });

  it('sets an httpOnly SameSite=Lax session cookie, Secure only over HTTPS', async () => {
    const res = await signIn(request('/api/auth/sign-in', { method: 'POST', body: { userName: 'carol', password: 'test-password-123' } }));
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('sitebox_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=lax/i);
    expect(session).not.toMatch(/Secure/i);
    expect(cookies.find((c) => c.startsWith('sitebox_csrf='))).not.toMatch(/HttpOnly/i);

    const https = await signIn(
      request('/api/auth/sign-in', {
        method: 'POST',
        headers: { 'x-forwarded-proto': 'https' },
        body: { userName: 'carol', password: 'test-password-123' },
      }),
    );
    expect(https.headers.getSetCookie().find((c) => c.startsWith('sitebox_session='))).toMatch(/Secure/i);
  });

  it('refuses a wrong password with 401, then slows the user down with 429 and Retry-After', async () => {
    const attempt = () => signIn(request('/api/auth/sign-in', { method: 'POST', body: { userName: 'carol', password: 'not-the-password' } }));
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const slowed = await attempt();
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await signIn(
      request('/api/auth/sign-in', { method: 'POST', headers: { origin: 'https://evil.example' }, body: { userName: 'carol', password: 'x' } }),
    );
    expect(res.status).toBe(403);
  });

  it('makes a user with a one-time password change it before anything else', async () => {
    const user = await signInAs('FULL_ADMINISTRATOR');
    await prisma().consoleUser.update({ where: { id: user.userId }, data: { mustChangePassword: true } });
    const blocked = await listUsers(request('/api/users', { headers: user.headers }));
    expect(blocked.status).toBe(403);
    expect((await blocked.json()).error.details).toEqual({ mustChangePassword: true });
    expect((await me(request('/api/auth/me', { headers: user.headers }))).status).toBe(200);

    const tooShort = await changePassword(
      request('/api/auth/password', { method: 'POST', headers: user.headers, body: { currentPassword: 'test-password-123', newPassword: 'short' } }),
    );
    expect(tooShort.status).toBe(400);
    expect((await tooShort.json()).error.fields[0].path).toBe('newPassword');
    const changed = await changePassword(
      request('/api/auth/password', {
        method: 'POST',
        headers: user.headers,
        body: { currentPassword: 'test-password-123', newPassword: 'a-much-longer-password' },
      }),
    );
    expect(changed.status).toBe(200);
    expect((await listUsers(request('/api/users', { headers: user.headers }))).status).toBe(200);
  });

  it('slows down guesses of the current password on Change password as it slows down sign-ins', async () => {
    const user = await signInAs('READ_ONLY_ANALYST');
    const attempt = (currentPassword: string) =>
      changePassword(
        request('/api/auth/password', { method: 'POST', headers: user.headers, body: { currentPassword, newPassword: 'a-much-longer-password' } }),
      );
    for (let i = 0; i < 3; i++) {
      const wrong = await attempt(`guess-${i}`);
      expect(wrong.status).toBe(400);
      expect((await wrong.json()).error.fields[0].path).toBe('currentPassword');
    }
    const slowed = await attempt('test-password-123');
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const signingIn = await signIn(request('/api/auth/sign-in', { method: 'POST', body: { userName: user.userName, password: 'guess-3' } }));
    expect(signingIn.status).toBe(429);
  });

  it('signs out a user who still owes a password change, so the one-time session does not stay open', async () => {
    const user = await signInAs('READ_ONLY_ANALYST');
    await prisma().consoleUser.update({ where: { id: user.userId }, data: { mustChangePassword: true } });
    const out = await signOut(request('/api/auth/sign-out', { method: 'POST', headers: user.headers }));
    expect(out.status).toBe(200);
    expect((await me(request('/api/auth/me', { headers: user.headers }))).status).toBe(401);
  });

  it('signs out: the cookie stops working', async () => {
    const user = await signInAs('READ_ONLY_ANALYST');
    expect((await me(request('/api/auth/me', { headers: user.headers }))).status).toBe(200);
    const out = await signOut(request('/api/auth/sign-out', { method: 'POST', headers: user.headers }));
    expect(out.status).toBe(200);
    expect((await me(request('/api/auth/me', { headers: user.headers }))).status).toBe(401);
  });
});

describe('each role against each kind of action', () => {
  const sessions = {} as Record<Role, TestSession>;
  let deviceId: number;
  beforeAll(async () => {
    await useTestDatabase();
    for (const role of roles) sessions[role] = await signInAs(role);
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    const { rows } = await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT id, 'NYC-WS-0001', 'Windows 11 Enterprise', '10.0', 'WORKSTATION', 'PENDING', now() FROM site RETURNING id`,
    );
    deviceId = rows[0].id;
  });

  const actions: { name: string; allowed: Role[]; call: (s: TestSession) => Promise<Response> }[] = [
    { name: 'read own identity', allowed: roles, call: (s) => me(request('/api/auth/me', { headers: s.headers })) },
    { name: 'list users', allowed: ['FULL_ADMINISTRATOR'], call: (s) => listUsers(request('/api/users', { headers: s.headers })) },
    {
      name: 'add a user',
      allowed: ['FULL_ADMINISTRATOR'],
      call: (s) =>
        createUser(
          request('/api/users', {
            method: 'POST',
            headers: s.headers,
            body: { userName: `u${Math.random().toString(36).slice(2, 8)}`, role: 'READ_ONLY_ANALYST' },
          }),
        ),
    },
    {
      name: 'change a role',
      allowed: ['FULL_ADMINISTRATOR'],
      call: async (s) => {
        const target = await signInAs('READ_ONLY_ANALYST');
        return patchUser(
          request(`/api/users/x`, { method: 'PATCH', headers: s.headers, body: { role: 'OPERATIONS_ADMINISTRATOR' } }),
          withParams({ id: String(target.userId) }),
        );
      },
    },
    {
      name: 'reset a password',
      allowed: ['FULL_ADMINISTRATOR'],
      call: async (s) => {
        const victim = await signInAs('READ_ONLY_ANALYST');
        return resetPassword(
          request('/api/users/x/reset-password', { method: 'POST', headers: s.headers }),
          withParams({ id: String(victim.userId) }),
        );
      },
    },
    {
      name: 'approve a device',
      allowed: ['FULL_ADMINISTRATOR'],
      call: (s) =>
        setApproval(
          request('/api/devices/x/approval', { method: 'POST', headers: s.headers, body: { approval: 'APPROVED' } }),
          withParams({ id: String(deviceId) }),
        ),
    },
    {
      name: 'delete a device',
      allowed: ['FULL_ADMINISTRATOR'],
      call: async (s) => {
        const { rows } = await pool().query(
          `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
           SELECT id, 'DEL-' || substr(md5(random()::text), 1, 8), 'Ubuntu 24.04 LTS', '24.04', 'SERVER', 'APPROVED', now() FROM site RETURNING id`,
        );
        return deleteDevice(request('/api/devices/x', { method: 'DELETE', headers: s.headers }), withParams({ id: String(rows[0].id) }));
      },
    },
  ];

  for (const action of actions) {
    for (const role of roles) {
      const allowed = action.allowed.includes(role);
      it(`${role} ${allowed ? 'may' : 'may not'} ${action.name}`, async () => {
        const res = await action.call(sessions[role]);
        expect(res.status).toBe(allowed ? 200 : 403);
      });
    }
  }

  it("shows a new user's one-time password once, and audits the change", async () => {
    const res = await createUser(
      request('/api/users', {
        method: 'POST',
        headers: sessions.FULL_ADMINISTRATOR.headers,
        body: { userName: 'dave', role: 'OPERATIONS_ADMINISTRATOR' },
      }),
    );
    const body = await res.json();
    expect(body.oneTimePassword).toHaveLength(20);
    const listed = await (await listUsers(request('/api/users', { headers: sessions.FULL_ADMINISTRATOR.headers }))).json();
    expect(JSON.stringify(listed)).not.toContain(body.oneTimePassword);
    expect(JSON.stringify(listed)).not.toContain('passwordHash');
    const duplicate = await createUser(
      request('/api/users', {
        method: 'POST',
        headers: sessions.FULL_ADMINISTRATOR.headers,
        body: { userName: 'dave', role: 'OPERATIONS_ADMINISTRATOR' },
      }),
    );
    expect(duplicate.status).toBe(409);
    expect((await duplicate.json()).error.fields).toEqual([{ path: 'userName', message: 'is already taken' }]);
    // The same name in other letter cases (and with the spaces trimmed) is the same user.
    for (const userName of ['Dave', 'DAVE ', ' dAvE']) {
      const variant = await createUser(
        request('/api/users', { method: 'POST', headers: sessions.FULL_ADMINISTRATOR.headers, body: { userName, role: 'READ_ONLY_ANALYST' } }),
      );
      expect(variant.status).toBe(409);
      expect((await variant.json()).error).toMatchObject({ message: 'A user named dave already exists.', fields: [{ path: 'userName' }] });
    }
    expect(await prisma().consoleUser.count({ where: { userName: { equals: 'dave', mode: 'insensitive' } } })).toBe(1);
  });

  it("leaves an administrator's own role, state and password to another administrator, naming the field", async () => {
    const self = await signInAs('FULL_ADMINISTRATOR');
    const patchSelf = (body: object) =>
      patchUser(request('/api/users/x', { method: 'PATCH', headers: self.headers, body }), withParams({ id: String(self.userId) }));
    const refusedField = async (res: Response) => {
      expect(res.status).toBe(409);
      return (await res.json()).error.fields;
    };
    expect(await refusedField(await patchSelf({ role: 'READ_ONLY_ANALYST' }))).toEqual([
      { path: 'role', message: 'cannot be changed on your own account' },
    ]);
    expect(await refusedField(await patchSelf({ disabled: true }))).toEqual([{ path: 'disabled', message: 'cannot be changed on your own account' }]);
    const reset = await resetPassword(
      request('/api/users/x/reset-password', { method: 'POST', headers: self.headers }),
      withParams({ id: String(self.userId) }),
    );
    expect(await refusedField(reset)).toEqual([{ path: 'id', message: 'is your own account' }]);

    // Nothing changed: still signed in, still a Full Administrator, the password still the one set.
    const who = await me(request('/api/auth/me', { headers: self.headers }));
    expect(await who.json()).toMatchObject({ role: 'FULL_ADMINISTRATOR', mustChangePassword: false });
    // What ends no session stays one's own to change.
    const renamed = await patchSelf({ displayName: 'Still Me', role: 'FULL_ADMINISTRATOR', disabled: false });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ displayName: 'Still Me', role: 'FULL_ADMINISTRATOR', disabled: false });
  });
});

describe('users changed by two administrators at once', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('keeps the last active Full Administrator when two disable or demote each other at the same moment', async () => {
    for (const change of [{ disabled: true }, { role: 'READ_ONLY_ANALYST' }]) {
      await prisma().consoleUser.updateMany({ where: { role: 'FULL_ADMINISTRATOR' }, data: { role: 'READ_ONLY_ANALYST' } });
      const ann = await signInAs('FULL_ADMINISTRATOR');
      const bob = await signInAs('FULL_ADMINISTRATOR');
      const [byAnn, byBob] = await Promise.all([
        patchUser(request('/api/users/x', { method: 'PATCH', headers: ann.headers, body: change }), withParams({ id: String(bob.userId) })),
        patchUser(request('/api/users/x', { method: 'PATCH', headers: bob.headers, body: change }), withParams({ id: String(ann.userId) })),
      ]);
      // One goes through; the other is refused, or finds its own session ended by the first.
      const [first, second] = [byAnn.status, byBob.status].sort();
      expect(first).toBe(200);
      expect([401, 409]).toContain(second);
      expect(await prisma().consoleUser.count({ where: { role: 'FULL_ADMINISTRATOR', disabledAt: null } })).toBe(1);
    }
  });

  it('adds a user sent twice at once (a double-submitted form) once, the other answer a 409 naming the field', async () => {
    const admin = await signInAs('FULL_ADMINISTRATOR');
    const add = () =>
      createUser(request('/api/users', { method: 'POST', headers: admin.headers, body: { userName: 'twice', role: 'READ_ONLY_ANALYST' } }));
    const answers = await Promise.all([add(), add(), add()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect((await refused.json()).error.fields).toEqual([{ path: 'userName', message: 'is already taken' }]);
    }
    expect(await prisma().consoleUser.count({ where: { userName: 'twice' } })).toBe(1);
  });
});

describe('client registration endpoint', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  });

  it('registers a device and refuses bad input with the field named', async () => {
    const ok = await register(
      request('/api/mp/register', {
        method: 'POST',
        body: {
          name: 'LON-LT-0100',
          osName: 'Windows 11 Enterprise',
          osVersion: '10.0.26100',
          osKind: 'WORKSTATION',
          clientVersion: '5.00.9132.1000',
        },
      }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ approval: 'APPROVED', deviceId: expect.any(Number), secret: expect.any(String) });
    const bad = await register(
      request('/api/mp/register', { method: 'POST', body: { name: 'bad name!', osName: 'x', osVersion: '1', osKind: 'PHONE', clientVersion: '1' } }),
    );
    expect(bad.status).toBe(400);
    const paths = (await bad.json()).error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'osKind']));
  });
});
