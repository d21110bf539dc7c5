// Generated hostile values — NUL, lone surrogates in names and values, huge numbers, extreme and
// impossible dates, deep nesting — fed to the route and socket-event schemas, and through real HTTP
// to the status ingest and a few write routes against the real database: nothing answers 5xx,
// whatever a schema accepts the database can hold, and a good message sent afterwards is stored.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { POST as createCollection } from '@/app/api/collections/route';
import { POST as createRule } from '@/app/api/status-filter-rules/route';
import { POST as saveQuery } from '@/app/api/status-message-queries/route';
import { POST as createUser } from '@/app/api/users/route';
import { collectionInputSchema, collectionPreviewSchema } from '@/lib/collections/collection-input.schema';
import { pool } from '@/lib/db/pool';
import { createDeploymentSchema, createPackageSchema } from '@/lib/deployments/deployment.schema';
import { registerDeviceSchema } from '@/lib/protocol/registration.schema';
import { operationDeliveredSchema, operationResultSchema } from '@/lib/protocol/agent-protocol.schema';
import { estimateQuerySchema, startClientOperationSchema } from '@/lib/notification/client-operation.schema';
import { isStatusIngest, serveStatusIngest } from '@/lib/ingest/serve-status-ingest';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import { filterRuleInputSchema } from '@/lib/status/status-filter-rule.schema';
import { listStatusMessagesQuerySchema } from '@/lib/status-viewer/status-message-filters.schema';
import { statusMessageSchema } from '@/lib/reporting/status-message.schema';
import { savedQueryInputSchema } from '@/lib/status-viewer/status-query.schema';
import { componentStatusQuerySchema } from '@/lib/summarizers/summarizer.schema';
import { createUserSchema, updateUserSchema } from '@/lib/users/user.schema';
import { findUnstorable, INT4_MAX, isStorableDate } from '@/lib/validation/primitives';
import { signInAs, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { RouteServer } from '../status/serve-route';
import { seedReportingClient, testMessage, testRule, wire } from '../status/fixtures';

// ---------------------------------------------------------------------------- hostile values

const codeUnit = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', 'a', ' ', '|'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const hostileString = fc.array(codeUnit, { minLength: 1, maxLength: 12 }).map((units) => units.join(''));
const hostileNumber = fc.oneof(
  fc.constantFrom(3_000_000_000, 2 ** 31, 2 ** 63, -1, 0, 1e308, -8.64e15, 8.64e15, Number.MAX_SAFE_INTEGER, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const hostileDate = fc.oneof(
  fc.constantFrom(
    '-271821-04-20T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '2026-13-45T99:00',
    '2026-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
    .map(
      ([y, m, d, h]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00`,
    ),
);
const deepValue = fc.integer({ min: 5, max: 60 }).map((depth) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
});
const hostileRecord = fc.dictionary(hostileString, hostileString, { maxKeys: 4 });
const hostile = fc.oneof(hostileString, hostileNumber, hostileDate, deepValue, hostileRecord, fc.array(hostileNumber, { maxLength: 3 }));

/** `sample` with one field (or, for records, one property) replaced by a hostile value. */
function mutated(sample: Record<string, unknown>) {
  return fc.tuple(fc.constantFrom(...Object.keys(sample)), hostile).map(([key, value]) => ({ ...sample, [key]: value }));
}

/** Why `value`, as a schema let it through, would not fit its column; null when it would. */
function unfit(value: unknown, key = ''): string | null {
  if (value instanceof Date) return isStorableDate(value) ? null : `${key}: date out of range`;
  if (typeof value === 'number' && /(^id$|Id$)/.test(key) && !(Number.isInteger(value) && value <= INT4_MAX)) return `${key}: id ${value}`;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = unfit(v, k);
      if (found) return found;
    }
    return null;
  }
  const text = findUnstorable(value, 64);
  return text ? `${key}: ${text.message}` : null;
}

const good = {
  statusMessage: wire(testMessage()),
  register: { name: 'WKS-0001', osName: 'Windows 11', osVersion: '10.0', osKind: 'WORKSTATION', clientVersion: '5.00' },
  collection: { name: 'Servers', comment: '', limitingCollectionId: 1, rules: [{ kind: 'DIRECT', deviceId: 1 }] },
  preview: { id: 1, limitingCollectionId: null, rules: [] },
  rule: { name: 'Errors', messageId: 10, propertyName: 'A', propertyValue: 'b', retentionDays: 3, writeToDatabase: true },
  query: { name: 'Mine', description: '', criteria: { from: '2026-01-01T00:00:00Z' } },
  package: { name: 'Office', version: '1', manufacturer: 'M', programs: [] },
  deployment: { name: 'Roll-out', programId: 1, collectionId: 1, availableAt: '2026-01-01T00:00:00Z', expiresAt: null },
  user: { userName: 'someone', displayName: 'Some One', role: 'READ_ONLY_ANALYST' },
  userPatch: { displayName: 'Some One' },
  operation: { action: 'QUICK_SCAN', target: { deviceIds: [1] } },
  estimate: { collectionId: '1' },
  delivered: { operationId: 1 },
  result: { operationId: 1, outcome: 'SUCCEEDED', detail: { message: 'ok', durationMs: 1 }, completedAt: '2026-01-01T00:00:00.000Z' },
  messageList: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', cursor: 'MjAyNi0wMS0wMVQwMDowMDowMC4wMDBafDE', propertyName: 'A' },
  componentStatus: { interval: 'SINCE_DATE', since: '2026-11-22T14:00', search: 'x' },
};

const schemas: [string, ZodType, Record<string, unknown>][] = [
  ['status message', statusMessageSchema, good.statusMessage],
  ['status message properties', statusMessageSchema, good.statusMessage],
  ['registration', registerDeviceSchema, good.register],
  ['collection', collectionInputSchema, good.collection],
  ['collection preview', collectionPreviewSchema, good.preview],
  ['filter rule', filterRuleInputSchema, good.rule],
  ['saved query', savedQueryInputSchema, good.query],
  ['package', createPackageSchema, good.package],
  ['deployment', createDeploymentSchema, good.deployment],
  ['user', createUserSchema, good.user],
  ['user change', updateUserSchema, good.userPatch],
  ['client operation', startClientOperationSchema, good.operation],
  ['estimate query', estimateQuerySchema, good.estimate],
  ['operation:delivered', operationDeliveredSchema, good.delivered],
  ['operation:result', operationResultSchema, good.result],
  ['status message list query', listStatusMessagesQuerySchema, good.messageList],
  ['component status query', componentStatusQuerySchema, good.componentStatus],
];

describe('boundary schemas under hostile input', () => {
  it.each(schemas)('%s: accepts only what its columns hold', (name, schema, sample) => {
    expect(schema.safeParse(sample).success, `${name} sample`).toBe(true);
    const input = name === 'status message properties' ? hostileRecord.map((properties) => ({ ...sample, properties })) : mutated(sample);
    fc.assert(
      fc.property(input, (value) => {
        const result = schema.safeParse(value);
        if (result.success) expect(unfit(result.data)).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it('operation:result refuses a live query row whose column name jsonb cannot hold, naming the row', () => {
    const withRows = (rows: Record<string, unknown>[]) => ({
      ...good.result,
      detail: { ...good.result.detail, liveQuery: { rows, rowCount: rows.length, truncated: false } },
    });
    expect(operationResultSchema.safeParse(withRows([{ pid: 5, name: 'bash' }])).success).toBe(true);
    for (const name of ['a\u0000b', '\ud800']) {
      const parsed = operationResultSchema.safeParse(withRows([{ pid: 5 }, { [name]: 1 }]));
      expect(parsed.success, JSON.stringify(name)).toBe(false);
      expect(parsed.error?.issues[0].path.slice(0, 4)).toEqual(['detail', 'liveQuery', 'rows', 1]);
    }
  });

  it('never rolls an impossible date over: an accepted date reads back as written', () => {
    const parts = fc.tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
    );
    fc.assert(
      fc.property(parts, ([y, m, d, h]) => {
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;
        const result = createDeploymentSchema.safeParse({ ...good.deployment, availableAt: text });
        if (result.success) expect(result.data.availableAt.toISOString()).toBe(text);
        else expect(m < 1 || m > 12 || h > 23 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------- through real HTTP

describe('hostile input through the real servers and database', () => {
  let ingest: Server;
  let ingestUrl = '';
  let routes: RouteServer;
  let admin: TestSession;
  let authorization = '';

  beforeAll(async () => {
    await useTestDatabase();
    authorization = await seedReportingClient();
    admin = await signInAs('FULL_ADMINISTRATOR');
    ingest = createServer((req, res) => {
      if (isStatusIngest(req)) return void serveStatusIngest(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    ingestUrl = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}/api/mp/status-messages`;
    routes = new RouteServer({
      '/api/collections': createCollection,
      '/api/status-filter-rules': createRule,
      '/api/status-message-queries': saveQuery,
      '/api/users': createUser,
    });
    await routes.start();
  });

  afterAll(async () => {
    await new Promise((resolve) => ingest?.close(resolve));
    await routes?.stop();
  });

  async function send(messages: unknown[]) {
    const res = await fetch(ingestUrl, {
      method: 'POST',
      body: JSON.stringify({ messages }),
      headers: { 'content-type': 'application/json', authorization },
    });
    await res.arrayBuffer();
    return { status: res.status, nosniff: res.headers.get('x-content-type-options') };
  }

  it('ingest answers every hostile message below 500, with nosniff, and Status Manager stores what follows', async () => {
    const hostileMessage = fc.oneof(
      mutated(wire(testMessage())).map((m) => ({ ...m, uid: randomUUID() })),
      hostileRecord.map((properties) => ({ ...wire(testMessage()), properties })),
      fc.array(hostileString, { maxLength: 3 }).map((insertionStrings) => ({ ...wire(testMessage()), insertionStrings })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMessage, { minLength: 1, maxLength: 3 }), async (messages) => {
        const answer = await send(messages);
        expect(answer.status).toBeLessThan(500);
        expect(answer.nosniff).toBe('nosniff');
      }),
      { numRuns: 60 },
    );
    expect(await send([{ ...wire(testMessage()), properties: { '\udfff': 'v' } }])).toEqual({ status: 400, nosniff: 'nosniff' });

    const after = testMessage({ insertionStrings: ['after the storm', 'ok'] });
    expect(await send([wire(after)])).toEqual({ status: 202, nosniff: 'nosniff' });
    // Everything the ingest accepted goes through Status Manager; none of it may fail the batch.
    const effects: StatusManagerEffects = { summarizers: async () => {}, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
    const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
    const log = pino({ level: 'silent' });
    while ((await processStatusBatch({ db: pool(), rules, effects, maxBatches: 100, log })).messages);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM status_message WHERE uid = $1`, [after.uid]);
    expect(rows[0].n).toBe(1);
  });

  it('ingest treats a credential whose id no column holds as unknown (401, nosniff)', async () => {
    for (const credential of [`Device 9999999999.${'A'.repeat(43)}`, `SiteSystem 9999999999.${'A'.repeat(43)}`]) {
      const res = await fetch(ingestUrl, {
        method: 'POST',
        body: JSON.stringify({ messages: [wire(testMessage())] }),
        headers: { authorization: credential },
      });
      expect({ status: res.status, nosniff: res.headers.get('x-content-type-options'), code: (await res.json()).error.code }).toEqual({
        status: 401,
        nosniff: 'nosniff',
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('write routes answer hostile bodies below 500, and a good one afterwards is stored', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${routes.url}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...admin.headers },
      });
      await res.arrayBuffer();
      return res.status;
    };
    const writes: [string, Record<string, unknown>][] = [
      ['/api/collections', { name: 'Hostile', rules: [] }],
      ['/api/status-filter-rules', { name: 'Hostile' }],
      ['/api/status-message-queries', { name: 'Hostile', criteria: {} }],
      ['/api/users', { userName: 'hostile', displayName: 'Hostile', role: 'READ_ONLY_ANALYST' }],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.string({ minLength: 1, maxLength: 4 }), hostile, async ([path, sample], suffix, value) => {
        const key = Object.keys(sample)[suffix.length % Object.keys(sample).length];
        expect(await post(path, { ...sample, [key]: value })).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    expect(await post('/api/collections', { name: 'Afterwards', rules: [] })).toBeLessThan(300);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM collection WHERE name = 'Afterwards'`);
    expect(rows[0].n).toBe(1);
  });
});
