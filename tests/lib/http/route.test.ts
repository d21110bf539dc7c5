import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';

const body = z.object({ name: z.string().min(2, 'must be at least 2 characters'), count: z.number().int() });
const echo = route({ auth: 'none', body, maxBodyBytes: 200 }, async ({ body }) => ({ got: body }));
const guarded = route({ permission: 'manageUsers' }, async ({ session }) => ({ user: session.principal.userName }));
const change = route({ params: z.object({ id: z.coerce.number().int().positive() }) }, async ({ params }) => ({ id: params.id }));
const failing = route({ auth: 'none' }, async () => {
  throw new Error('database password is hunter2');
});
// A handler whose connection the database server ends mid-transaction (a restart, a failover).
const cut = route({ auth: 'none' }, async () =>
  inTransaction(pool(), async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await pool().query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await client.query('SELECT 1');
    // Told at once or only on its next query, depending on when the server's notice arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.query('SELECT 1');
  }),
);
const limited = route({ auth: 'none' }, async () => {
  throw new AppError('RATE_LIMITED', { retryAfterSeconds: 7 });
});

describe('route wrapper', () => {
  let admin: TestSession;
  let analyst: TestSession;
  beforeAll(async () => {
    await useTestDatabase();
    admin = await signInAs('FULL_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('passes a valid body to the handler', async () => {
    const res = await echo(request('/x', { method: 'POST', body: { name: 'ok', count: 2 } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { name: 'ok', count: 2 } });
  });

  it('answers 400 naming each bad field and why', async () => {
    const res = await echo(request('/x', { method: 'POST', body: { name: 'a', count: 'two' } }));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual(
      expect.arrayContaining([{ path: 'name', message: 'must be at least 2 characters' }, expect.objectContaining({ path: 'count' })]),
    );
  });

  it('answers 400 for malformed JSON and 413 for an oversized body', async () => {
    expect((await echo(request('/x', { method: 'POST', body: '{"name": ' }))).status).toBe(400);
    expect((await echo(request('/x', { method: 'POST', body: { name: 'x'.repeat(300), count: 1 } }))).status).toBe(413);
  });

  it('hides internals of unexpected errors', async () => {
    const res = await failing(request('/x'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).error.requestId).toBeTruthy();
  });

  it('answers 503 with Retry-After when the database ends the connection a request was using', async () => {
    const res = await cut(request('/x', { method: 'POST' }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/database/) });
    // The pool dropped the dead connection: the next request is served.
    expect((await pool().query<{ n: number }>('SELECT 1 AS n')).rows[0].n).toBe(1);
  });

  it('sends Retry-After with 429', async () => {
    const res = await limited(request('/x'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('refuses requests without a session, and roles without the permission', async () => {
    expect((await guarded(request('/x'))).status).toBe(401);
    expect((await guarded(request('/x', { headers: analyst.headers }))).status).toBe(403);
    const ok = await guarded(request('/x', { headers: admin.headers }));
    expect(await ok.json()).toEqual({ user: admin.userName });
  });

  it('refuses a change without the CSRF token, or from another site', async () => {
    const { 'x-csrf-token': _, ...cookieOnly } = admin.headers;
    expect((await change(request('/x/1', { method: 'POST', headers: cookieOnly }), withParams({ id: '1' }))).status).toBe(403);
    const forged = { ...cookieOnly, 'x-csrf-token': 'x'.repeat(43) };
    expect((await change(request('/x/1', { method: 'POST', headers: forged }), withParams({ id: '1' }))).status).toBe(403);
    const crossSite = { ...admin.headers, origin: 'https://evil.example' };
    expect((await change(request('/x/1', { method: 'POST', headers: crossSite }), withParams({ id: '1' }))).status).toBe(403);
    const res = await change(request('/x/1', { method: 'POST', headers: admin.headers }), withParams({ id: '1' }));
    expect(await res.json()).toEqual({ id: 1 });
  });

  it('validates route params', async () => {
    const res = await change(request('/x/abc', { method: 'POST', headers: admin.headers }), withParams({ id: 'abc' }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields[0].path).toBe('id');
  });
});
