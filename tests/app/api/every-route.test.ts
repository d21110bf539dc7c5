// Every route the console and the management point serve, found on disk (a new route is covered the
// day it is added), called as an outsider probing it would: path parameters that are not ids,
// bodies that are not JSON or not objects, numbers JSON reads as Infinity, NUL, query strings of
// nonsense. Signed in as a full administrator and as an approved device at once, so the input gets
// past authentication to validation. None may answer 5xx, throw, or hang.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '@/lib/auth/sessions';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { approvedDevices } from '../../support/approved-devices';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

const API = path.join(process.cwd(), 'app', 'api');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface RouteFile {
  /** e.g. /api/collections/[id]/evaluate */
  template: string;
  file: string;
  params: string[];
}

function routeFiles(dir = API): RouteFile[] {
  const found: RouteFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...routeFiles(full));
    else if (entry.name === 'route.ts') {
      const template = `/${path.relative(path.join(process.cwd(), 'app'), dir).split(path.sep).join('/')}`;
      found.push({ template, file: full, params: [...template.matchAll(/\[(\w+)\]/g)].map((m) => m[1]) });
    }
  }
  return found.sort((a, b) => a.template.localeCompare(b.template));
}

const PARAMS = ['1', 'abc', '-1', '0', '99999999999999999999', '1e3', '1.5', '\u0000', '%', '../../etc/passwd', 'Ａ１'];
const BODIES: (string | undefined)[] = [
  undefined,
  '',
  'not json',
  '{"name":',
  '[]',
  'null',
  '"text"',
  '1e309',
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
  '['.repeat(5_000) + ']'.repeat(5_000),
  JSON.stringify({
    id: -1,
    ids: ['x', null],
    name: 'x\u0000y',
    userName: {},
    password: [],
    limit: 'abc',
    query: '\u0000',
    action: 'NOT_AN_ACTION',
    target: { deviceIds: [1.5, -3] },
    changes: { 'no.such.path': 1 },
    baseSerial: 'x',
    messages: [{}, null, 'x'],
    rules: 'x',
  }),
];
const QUERIES = ['', '?limit=-1&cursor=%00&page=abc&offset=1e400&from=2020-02-30&to=x&sort=;drop&q=%00&id=abc&days=99999999999&serial=-1'];

const TIMEOUT_MS = 10_000;
/** Routes whose callers carry a credential these probes do not: a child site's site system. */
const OTHER_CREDENTIAL = new Set(['/api/mp/child-site-link']);

/** A 503 Sitebox means (this process runs no notification server), not a failure. */
const deliberate = (status: number, text: string) => status === 503 && /"code":"UNAVAILABLE"/.test(text);

let admin: TestSession;
let deviceAuth = '';

describe('every API route under hostile input', () => {
  const routes = routeFiles();

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 5 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    deviceAuth = (await approvedDevices(['WKS-HOSTILE'])).auth['WKS-HOSTILE'];
  });

  it('finds the routes on disk', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.map((r) => r.template)).toContain('/api/collections/[id]/evaluate');
  });

  it.each(routes.map((r) => [r.template, r] as const))('%s answers 4xx, never 5xx', async (_template, route) => {
    const module = (await import(route.file)) as Record<string, unknown>;
    const methods = METHODS.filter((m) => typeof module[m] === 'function');
    expect(methods.length).toBeGreaterThan(0);
    // A session of its own: a hostile sign-out or password change must not end the others' probes.
    const session = await createSession({ userId: admin.userId, address: '127.0.0.1', userAgent: 'vitest' });
    const headers = {
      cookie: `sitebox_session=${session.token}; sitebox_csrf=${session.csrfToken}`,
      'x-csrf-token': session.csrfToken,
      'x-sitebox-client-address': '192.0.2.51',
      authorization: deviceAuth,
    };
    const failures: string[] = [];
    const statuses = new Set<number>();
    const probe = async (method: string, params: string, body: string | undefined, query: string) => {
      const values = Object.fromEntries(route.params.map((p) => [p, params]));
      const url = route.template.replace(/\[(\w+)\]/g, () => encodeURIComponent(params)) + query;
      const what = `${method} ${url} body=${body === undefined ? '(none)' : JSON.stringify(body.slice(0, 40))}`;
      const handler = module[method] as (req: unknown, ctx: unknown) => Promise<Response>;
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          handler(request(url, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : body }), withParams(values)),
          new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), TIMEOUT_MS))),
        ]);
        if (answer === 'hung') failures.push(`${what}: no answer in ${TIMEOUT_MS} ms`);
        else {
          statuses.add(answer.status);
          if (answer.status < 500)
            await answer.body?.cancel(); // live feeds stream without end
          else {
            const text = await answer.text();
            if (!deliberate(answer.status, text)) failures.push(`${what}: ${answer.status} ${text.slice(0, 200)}`);
          }
        }
      } catch (error) {
        failures.push(`${what}: threw ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    for (const method of methods) {
      const withBody = method !== 'GET' && method !== 'DELETE';
      for (const params of route.params.length ? PARAMS : ['']) await probe(method, params, withBody ? '{}' : undefined, '');
      if (withBody) for (const body of BODIES) await probe(method, '1', body, '');
      for (const query of QUERIES) await probe(method, '1', withBody ? '{}' : undefined, query);
    }
    expect(failures).toEqual([]);
    // The probes got past authentication to the route's own checks.
    if (!OTHER_CREDENTIAL.has(route.template)) expect([...statuses].filter((status) => status !== 401 && status !== 403)).not.toEqual([]);
  });
});
