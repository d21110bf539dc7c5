import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteRule, PATCH as patchRule } from '@/app/api/status-filter-rules/[id]/route';
import { POST as moveRule } from '@/app/api/status-filter-rules/[id]/move/route';
import { GET as listRules, POST as createRule } from '@/app/api/status-filter-rules/route';
import { POST as testRules } from '@/app/api/status-filter-rules/test/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

type Rule = { id: number; name: string; priority: number; enabled: boolean };

describe('status filter rules API', () => {
  let admin: TestSession;
  let analyst: TestSession;
  const names = async () =>
    ((await (await listRules(request('/api/status-filter-rules', { headers: analyst.headers }))).json()).rules as Rule[]).map((r) => r.name);

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('lists the rules in evaluation order', async () => {
    expect(await names()).toEqual([
      'Write audit messages to the database',
      'Replicate server errors to the parent site',
      'Keep software metering rule acknowledgements (10907) for one day only',
      'Write all other messages to the database',
    ]);
  });

  it('creates a rule last, validates it, and lets only full administrators change rules', async () => {
    const input = {
      name: 'Page on failed installs',
      messageId: 10006,
      severity: 'ERROR',
      runProgram: { kind: 'command', file: '/usr/local/bin/page', args: ['%msgsys', '%msgdesc'] },
      reportToEventLog: true,
    };
    expect((await createRule(request('/api/status-filter-rules', { method: 'POST', headers: analyst.headers, body: input }))).status).toBe(403);
    const created = await createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: input }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: input.name, priority: 1010, runProgram: { kind: 'command', timeoutSeconds: 30 } });

    const bad = async (body: unknown) => {
      const res = await createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body }));
      expect(res.status).toBe(400);
      return (await res.json()).error.fields[0].path as string;
    };
    expect(await bad({ name: 'x', severity: 'LOUD' })).toBe('severity');
    expect(await bad({ name: 'x', writeToDatabase: true })).toBe('retentionDays');
    expect(await bad({ name: 'x', runProgram: { kind: 'command', file: 'relative/path' } })).toBe('runProgram.file');
    expect(await bad({ name: 'x', propertyValue: 'S0120001' })).toBe('propertyName');
    expect(await bad({ name: '' })).toBe('name');
    // Refusals read as the project's own messages, after the field's name.
    const wrong = await createRule(
      request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: { name: 'x', severity: 'LOUD', messageId: 'ten' } }),
    );
    expect((await wrong.json()).error.fields).toEqual([
      { path: 'severity', message: 'must be one of INFORMATIONAL, WARNING, ERROR' },
      { path: 'messageId', message: 'must be a number' },
    ]);
    const duplicate = await createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: input }));
    expect(duplicate.status).toBe(409);
    // Each change is audited.
    const audits = await pool().query(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    expect(audits.rows.some((r) => r.m.includes('Page on failed installs') && r.m.includes('"messageId":30000'))).toBe(true);
  });

  it('moves a rule up and down, disables and deletes it', async () => {
    const rules = (await (await listRules(request('/api/status-filter-rules', { headers: admin.headers }))).json()).rules as Rule[];
    const mine = rules.find((r) => r.name === 'Page on failed installs')!;
    const move = (direction: string) =>
      moveRule(
        request(`/api/status-filter-rules/${mine.id}/move`, { method: 'POST', headers: admin.headers, body: { direction } }),
        withParams({ id: String(mine.id) }),
      );
    expect((await move('up')).status).toBe(200);
    expect((await move('up')).status).toBe(200);
    expect((await names()).indexOf('Page on failed installs')).toBe(2);
    expect((await move('down')).status).toBe(200);
    expect((await names()).indexOf('Page on failed installs')).toBe(3);
    expect((await move('sideways')).status).toBe(400);

    const disabled = await patchRule(
      request(`/api/status-filter-rules/${mine.id}`, { method: 'PATCH', headers: admin.headers, body: { enabled: false } }),
      withParams({ id: String(mine.id) }),
    );
    expect(await disabled.json()).toMatchObject({ enabled: false, messageId: 10006 });
    const unknownField = await patchRule(
      request(`/api/status-filter-rules/${mine.id}`, { method: 'PATCH', headers: admin.headers, body: { colour: 'red' } }),
      withParams({ id: String(mine.id) }),
    );
    expect((await unknownField.json()).error.fields[0].path).toBe('colour');
    const invalid = await patchRule(
      request(`/api/status-filter-rules/${mine.id}`, { method: 'PATCH', headers: admin.headers, body: { writeToDatabase: true } }),
      withParams({ id: String(mine.id) }),
    );
    expect((await invalid.json()).error.fields[0].path).toBe('retentionDays');

    expect(
      (
        await deleteRule(
          request(`/api/status-filter-rules/${mine.id}`, { method: 'DELETE', headers: admin.headers }),
          withParams({ id: String(mine.id) }),
        )
      ).status,
    ).toBe(200);
    expect(await names()).not.toContain('Page on failed installs');
    expect(
      (
        await deleteRule(
          request(`/api/status-filter-rules/${mine.id}`, { method: 'DELETE', headers: admin.headers }),
          withParams({ id: String(mine.id) }),
        )
      ).status,
    ).toBe(404);
  });

  it('keeps both of two changes made at once, and answers a rule deleted or moved while it is deleted with 404, not 500', async () => {
    const created = await createRule(
      request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: { name: 'Changed twice at once', messageId: 10007 } }),
    );
    const { id } = await created.json();
    const patch = (body: unknown) =>
      patchRule(request(`/api/status-filter-rules/${id}`, { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(id) }));
    const changes = await Promise.all([patch({ enabled: false }), patch({ reportToEventLog: true }), patch({ severity: 'WARNING' })]);
    expect(changes.map((c) => c.status)).toEqual([200, 200, 200]);
    const stored = ((await (await listRules(request('/api/status-filter-rules', { headers: admin.headers }))).json()).rules as Rule[]).find(
      (r) => r.id === id,
    );
    expect(stored).toMatchObject({ enabled: false, reportToEventLog: true, severity: 'WARNING', messageId: 10007 });

    const remove = () =>
      deleteRule(request(`/api/status-filter-rules/${id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) }));
    const move = () =>
      moveRule(
        request(`/api/status-filter-rules/${id}/move`, { method: 'POST', headers: admin.headers, body: { direction: 'up' } }),
        withParams({ id: String(id) }),
      );
    const answers = await Promise.all([remove(), remove(), remove(), patch({ enabled: true }), move()]);
    expect(
      answers
        .slice(0, 3)
        .map((a) => a.status)
        .sort(),
    ).toEqual([200, 404, 404]);
    for (const answer of answers.slice(3)) expect([200, 404]).toContain(answer.status);
    expect(await names()).not.toContain('Changed twice at once');
  });

  it('refuses an edit made from a version someone else changed since, and keeps their change', async () => {
    type Versioned = Rule & { severity: string | null; updatedAt: string };
    const other = await signInAs('FULL_ADMINISTRATOR');
    const created = await createRule(
      request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: { name: 'Two editors', messageId: 10008 } }),
    );
    const opened: Versioned = await created.json();
    const patch = (session: TestSession, body: unknown) =>
      patchRule(
        request(`/api/status-filter-rules/${opened.id}`, { method: 'PATCH', headers: session.headers, body }),
        withParams({ id: String(opened.id) }),
      );
    const stored = async () =>
      ((await (await listRules(request('/api/status-filter-rules', { headers: admin.headers }))).json()).rules as Versioned[]).find(
        (r) => r.id === opened.id,
      )!;
    // Both open the rule's form; the other administrator saves first.
    expect((await patch(other, { name: 'Two editors', messageId: 10008, severity: 'ERROR', baseUpdatedAt: opened.updatedAt })).status).toBe(200);
    const stale = await patch(admin, { name: 'Two editors', messageId: 10008, severity: 'WARNING', baseUpdatedAt: opened.updatedAt });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toBe(
      `${other.userName} changed the rule after you opened it; cancel, then edit it again to start from their version.`,
    );
    const current = await stored();
    expect(current.severity).toBe('ERROR');
    // Made from the current version, the edit goes through; a change naming no version still does too.
    expect((await patch(admin, { severity: 'WARNING', baseUpdatedAt: current.updatedAt })).status).toBe(200);
    expect((await patch(other, { enabled: false })).status).toBe(200);
    expect(await stored()).toMatchObject({ severity: 'WARNING', enabled: false });
    expect((await (await patch(admin, { enabled: true, baseUpdatedAt: '2026-13-45' })).json()).error.fields[0].path).toBe('baseUpdatedAt');
    expect((await patch(admin, { baseUpdatedAt: (await stored()).updatedAt })).status).toBe(400);
    const remove = await deleteRule(
      request(`/api/status-filter-rules/${opened.id}`, { method: 'DELETE', headers: admin.headers }),
      withParams({ id: String(opened.id) }),
    );
    expect(remove.status).toBe(200);
  });

  it('refuses a name that reads the same as another rule’s, also when both are sent at once', async () => {
    const post = (name: string) =>
      createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: { name, messageId: 10009 } }));
    const first = (await (await post('Audit logons')).json()) as Rule;
    for (const name of ['audit logons', 'AUDIT LOGONS', 'Ａｕｄｉｔ logons', 'Audit\u200b logons']) {
      const lookAlike = await post(name);
      expect(lookAlike.status).toBe(409);
      expect((await lookAlike.json()).error).toMatchObject({
        message: 'A rule with this name already exists ("Audit logons").',
        fields: [{ path: 'name', message: 'is already taken' }],
      });
    }
    const second = (await (await post('Audit logoffs')).json()) as Rule;
    const rename = (rule: Rule, name: string) =>
      patchRule(
        request(`/api/status-filter-rules/${rule.id}`, { method: 'PATCH', headers: admin.headers, body: { name, messageId: 10009 } }),
        withParams({ id: String(rule.id) }),
      );
    expect((await rename(second, 'AUDIT LOGONS')).status).toBe(409);
    // A rule keeps its own name in another case.
    expect((await rename(second, 'AUDIT LOGOFFS')).status).toBe(200);
    const atOnce = await Promise.all(['Look-alike at once', 'LOOK-ALIKE AT ONCE', 'look-alike at once'].map(post));
    expect(atOnce.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect((await names()).filter((n) => /^look-alike at once$/i.test(n))).toHaveLength(1);
    for (const rule of [first, second, (await atOnce.find((a) => a.status === 201)!.json()) as Rule])
      await deleteRule(
        request(`/api/status-filter-rules/${rule.id}`, { method: 'DELETE', headers: admin.headers }),
        withParams({ id: String(rule.id) }),
      );
  });

  it('adds rules sent at the same moment one after the other, none refused for a priority it did not name', async () => {
    const add = (name: string) =>
      createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body: { name, messageId: 10008 } }));
    const names4 = ['At once 1', 'At once 2', 'At once 3', 'At once 4'];
    const answers = await Promise.all(names4.map(add));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const rules = ((await (await listRules(request('/api/status-filter-rules', { headers: admin.headers }))).json()).rules as Rule[]).filter((r) =>
      names4.includes(r.name),
    );
    expect(new Set(rules.map((r) => r.priority)).size).toBe(4);
    for (const rule of rules) {
      await deleteRule(
        request(`/api/status-filter-rules/${rule.id}`, { method: 'DELETE', headers: admin.headers }),
        withParams({ id: String(rule.id) }),
      );
    }
  });

  it('tests a message: which rules match, which are reached, and what would happen', async () => {
    const res = await testRules(
      request('/api/status-filter-rules/test', {
        method: 'POST',
        headers: analyst.headers,
        body: {
          message: {
            messageId: 10907,
            severity: 'INFORMATIONAL',
            type: 'DETAIL',
            source: 'CLIENT',
            siteCode: 'S01',
            systemName: 'WKS0001',
            component: 'Software Metering Agent',
            insertionStrings: ['S0100001', 'winword.exe'],
          },
        },
      }),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.description).toBe('The Software Metering Agent received software metering rule S0100001 for winword.exe.');
    expect(body.rules.map((r: { matches: boolean; reached: boolean; stops: boolean }) => [r.matches, r.reached, r.stops])).toEqual([
      [false, true, false],
      [false, true, false],
      [true, true, true],
      [true, false, false],
    ]);
    expect(body.rules[3].actions).toBeNull();
    expect(body.result).toMatchObject({ writeToDatabase: true, retentionDays: 1, forwardToSummarizers: false });

    const bad = await testRules(
      request('/api/status-filter-rules/test', { method: 'POST', headers: analyst.headers, body: { message: { messageId: -1 } } }),
    );
    expect(bad.status).toBe(400);
  });
});
