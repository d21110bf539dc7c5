import { beforeAll, describe, expect, it } from 'vitest';
import { POST as approve } from '@/app/api/scripts/[id]/approve/route';
import { DELETE as deleteScript, GET as getScript, PUT as putScript } from '@/app/api/scripts/[id]/route';
import { POST as cancelOperation } from '@/app/api/client-operations/[id]/cancel/route';
import { POST as startOperation } from '@/app/api/client-operations/route';
import { GET as listScripts, POST as createScript } from '@/app/api/scripts/route';
import { pool } from '@/lib/db/pool';
import { findApprovedScriptByHash } from '@/lib/scripts/repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

type Script = { id: number; name: string; contentHash: string; approval: { by: string } | null; authorIds: number[] };

const input = {
  name: 'Clean temp files',
  description: 'Removes old files under a path',
  body: '#!/bin/bash\nfind "$1" -mtime +"$SITEBOX_PARAM_Days" -delete\n',
  parameters: [
    { name: 'Path', type: 'string', required: true, pattern: '/.*' },
    { name: 'Days', type: 'integer', min: 1, max: 90 },
  ],
  timeoutSeconds: 120,
};

describe('scripts API', () => {
  let author: TestSession;
  let approver: TestSession;
  let operator: TestSession;
  let analyst: TestSession;
  let script: Script;

  const post = (session: TestSession, body: unknown) => createScript(request('/api/scripts', { method: 'POST', headers: session.headers, body }));
  const put = (session: TestSession, id: number, body: unknown) =>
    putScript(request(`/api/scripts/${id}`, { method: 'PUT', headers: session.headers, body }), withParams({ id: String(id) }));
  const approveAs = (session: TestSession, id: number, contentHash: string) =>
    approve(
      request(`/api/scripts/${id}/approve`, { method: 'POST', headers: session.headers, body: { contentHash } }),
      withParams({ id: String(id) }),
    );
  const read = async (id: number) =>
    (await (await getScript(request(`/api/scripts/${id}`, { headers: analyst.headers }), withParams({ id: String(id) }))).json()) as Script;

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    author = await signInAs('FULL_ADMINISTRATOR');
    approver = await signInAs('FULL_ADMINISTRATOR');
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('creates a script awaiting approval, validating each field', async () => {
    expect((await post(analyst, input)).status).toBe(403);
    const created = await post(author, input);
    expect(created.status).toBe(201);
    script = await created.json();
    expect(script).toMatchObject({ name: input.name, approval: null, timeoutSeconds: 120 });
    expect(script.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await post(author, input)).status).toBe(409);
    // A name that reads the same is the same name: Run Script picks scripts by it.
    for (const name of ['clean temp files', 'CLEAN TEMP FILES', 'Ｃｌｅａｎ temp files', 'Clean\u200b temp files']) {
      const lookAlike = await post(author, { ...input, name });
      expect(lookAlike.status).toBe(409);
      expect((await lookAlike.json()).error).toMatchObject({
        message: 'A script of that name already exists ("Clean temp files").',
        fields: [{ path: 'name', message: 'is already used by another script' }],
      });
    }
    const other = (await (await post(author, { ...input, name: 'Clean logs' })).json()) as Script;
    expect((await put(author, other.id, { ...input, name: 'CLEAN TEMP FILES' })).status).toBe(409);
    expect((await put(author, other.id, { ...input, name: 'CLEAN LOGS' })).status).toBe(200);
    expect(
      (await deleteScript(request(`/api/scripts/${other.id}`, { method: 'DELETE', headers: author.headers }), withParams({ id: String(other.id) })))
        .status,
    ).toBe(200);

    const bad = async (body: unknown) => {
      const res = await post(author, body);
      expect(res.status).toBe(400);
      return (await res.json()).error.fields[0].path as string;
    };
    expect(await bad({ ...input, name: '' })).toBe('name');
    expect(await bad({ ...input, timeoutSeconds: 0 })).toBe('timeoutSeconds');
    expect(await bad({ ...input, parameters: [{ name: 'x', type: 'float' }] })).toBe('parameters.0.type');
    expect(
      await bad({
        ...input,
        parameters: [
          { name: 'A', type: 'string' },
          { name: 'a', type: 'string' },
        ],
      }),
    ).toBe('parameters.1.name');
    const list = (await (await listScripts(request('/api/scripts', { headers: analyst.headers }))).json()).rows as Script[];
    expect(list.map((s) => s.name)).toEqual([input.name]);
  });

  it('approval is its own permission, and an author never approves their own script', async () => {
    expect((await approveAs(operator, script.id, script.contentHash)).status).toBe(403);
    const own = await approveAs(author, script.id, script.contentHash);
    expect(own.status).toBe(403);
    expect((await own.json()).error.message).toMatch(/another user must approve/);
    expect(await findApprovedScriptByHash(script.contentHash)).toBeNull();
    // A hash other than the current text's is not approved unseen.
    expect((await approveAs(approver, script.id, 'a'.repeat(64))).status).toBe(409);
    expect((await approveAs(approver, script.id, 'nothex')).status).toBe(400);

    const approved = await approveAs(approver, script.id, script.contentHash);
    expect(approved.status).toBe(200);
    expect((await approved.json()).approval).toMatchObject({ by: approver.userName });
    expect((await findApprovedScriptByHash(script.contentHash))?.body).toBe(input.body);
  });

  it('editing withdraws approval, and the editor may not approve the new text either', async () => {
    const edited = await put(operator, script.id, { ...input, body: `${input.body}echo done\n` });
    expect(edited.status).toBe(200);
    const after = (await edited.json()) as Script;
    expect(after.approval).toBeNull();
    expect(after.contentHash).not.toBe(script.contentHash);
    expect(await findApprovedScriptByHash(script.contentHash)).toBeNull();
    expect(await findApprovedScriptByHash(after.contentHash)).toBeNull();

    // The approver edits too: now both are authors, so the original author (a full administrator) still may not approve.
    const second = (await (await put(approver, script.id, { ...input, body: `${input.body}echo again\n` })).json()) as Script;
    expect((await approveAs(approver, script.id, second.contentHash)).status).toBe(403);
    expect((await approveAs(author, script.id, second.contentHash)).status).toBe(403);
    const third = await signInAs('FULL_ADMINISTRATOR');
    expect((await approveAs(third, script.id, second.contentHash)).status).toBe(200);
    expect((await read(script.id)).approval).toMatchObject({ by: third.userName });
  });

  it('refuses an edit made from a version someone else saved over, and keeps their text', async () => {
    type Versioned = Script & { body: string; updatedAt: string };
    const opened = (await (await post(author, { ...input, name: 'Two editors' })).json()) as Versioned;
    // Both open the script; the operator saves first.
    const saved = await put(operator, opened.id, {
      ...input,
      name: 'Two editors',
      body: `${input.body}echo operator\n`,
      baseUpdatedAt: opened.updatedAt,
    });
    expect(saved.status).toBe(200);
    const stale = await put(author, opened.id, {
      ...input,
      name: 'Two editors',
      body: `${input.body}echo author\n`,
      baseUpdatedAt: opened.updatedAt,
    });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toMatch(/^\S+ saved the script after you opened it/);
    const current = (await read(opened.id)) as Versioned;
    expect(current.body).toBe(`${input.body}echo operator\n`);
    // Made from the current version, the edit goes through; an edit naming no version still does too.
    expect((await put(author, opened.id, { ...input, name: 'Two editors', baseUpdatedAt: current.updatedAt })).status).toBe(200);
    expect((await put(author, opened.id, { ...input, name: 'Two editors' })).status).toBe(200);
    expect((await put(author, opened.id, { ...input, name: 'Two editors', baseUpdatedAt: '2026-13-45' })).status).toBe(400);
  });

  it('refuses an approval of a version whose parameters or timeout changed since the approver read it', async () => {
    type Versioned = Script & { updatedAt: string; parameters: unknown[] };
    const read0 = (await (await post(author, { ...input, name: 'Guarded path' })).json()) as Versioned;
    // The approver reads it; the author then drops the pattern that kept the path in bounds. The
    // text, and so its hash, is the same: only the version read tells the two apart.
    const loosened = await put(author, read0.id, {
      ...input,
      name: 'Guarded path',
      parameters: [{ name: 'Path', type: 'string', required: true }],
      baseUpdatedAt: read0.updatedAt,
    });
    expect(loosened.status).toBe(200);
    const approveVersion = (baseUpdatedAt: string) =>
      approve(
        request(`/api/scripts/${read0.id}/approve`, {
          method: 'POST',
          headers: approver.headers,
          body: { contentHash: read0.contentHash, baseUpdatedAt },
        }),
        withParams({ id: String(read0.id) }),
      );
    const stale = await approveVersion(read0.updatedAt);
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({
      message: `${author.userName} saved the script after you opened it; read it again before approving.`,
      fields: [{ path: 'baseUpdatedAt', message: 'is not the script’s current version' }],
    });
    const current = (await read(read0.id)) as Versioned;
    expect(current.approval).toBeNull();
    expect(current.parameters).toEqual([{ name: 'Path', type: 'string', description: '', required: true }]);
    // Read again, the version is approved.
    expect((await approveVersion(current.updatedAt)).status).toBe(200);
  });

  it('Run Script needs an approved script and values that keep its rules', async () => {
    const start = async (session: TestSession, body: unknown) => {
      const res = await startOperation(request('/api/client-operations', { method: 'POST', headers: session.headers, body }));
      return { status: res.status, body: await res.json() };
    };
    const target = { deviceNames: ['NOBODY'] };
    expect((await start(analyst, { action: 'RUN_SCRIPT', target, script: { scriptId: script.id } })).status).toBe(403);
    const missing = await start(operator, { action: 'RUN_SCRIPT', target });
    expect([missing.status, missing.body.error.fields[0].path]).toEqual([400, 'script.scriptId']);
    const misplaced = await start(operator, { action: 'QUICK_SCAN', target, script: { scriptId: script.id } });
    expect([misplaced.status, misplaced.body.error.fields[0].path]).toEqual([400, 'script']);
    const pending = (await (await post(operator, { ...input, name: 'Pending' })).json()) as Script;
    const unapproved = await start(operator, { action: 'RUN_SCRIPT', target, script: { scriptId: pending.id } });
    expect([unapproved.status, unapproved.body.error.fields[0].path]).toEqual([409, 'script.scriptId']);
    const broken = await start(operator, {
      action: 'RUN_SCRIPT',
      target,
      script: { scriptId: script.id, arguments: { Path: 'relative', Days: 91 } },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['script.arguments.Path', 'script.arguments.Days']);
  });

  it('keeps a script a run is still using, unedited and undeleted, until the run is cancelled', async () => {
    const copy = (await (
      await post(author, { ...input, name: 'Used by a run', parameters: [], body: '#!/bin/bash\necho in use\n' })
    ).json()) as Script;
    expect((await approveAs(approver, copy.id, copy.contentHash)).status).toBe(200);
    await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT id, 'RUNS-0001', 'Ubuntu 24.04', '24.04', 'WORKSTATION', 'APPROVED', now() FROM site LIMIT 1`,
    );
    const started = await startOperation(
      request('/api/client-operations', {
        method: 'POST',
        headers: operator.headers,
        body: { action: 'RUN_SCRIPT', target: { deviceNames: ['RUNS-0001'] }, script: { scriptId: copy.id } },
      }),
    );
    expect(started.status).toBe(200);
    const operation = (await started.json()) as { id: number };
    const remove = () =>
      deleteScript(request(`/api/scripts/${copy.id}`, { method: 'DELETE', headers: operator.headers }), withParams({ id: String(copy.id) }));

    const refused = await remove();
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.fields).toEqual([{ path: 'id', message: `is run by client operation ${operation.id}` }]);
    // An edit would withdraw the approval, and with it the text the waiting client will fetch.
    const edited = await put(author, copy.id, { ...input, name: 'Used by a run', parameters: [], body: '#!/bin/bash\necho changed\n' });
    expect(edited.status).toBe(409);
    expect((await edited.json()).error.message).toMatch(/^Client operation \d+ is running this script until .*before editing the script\.$/);
    // The waiting client can still fetch the text it will be told to run.
    expect((await findApprovedScriptByHash(copy.contentHash))?.body).toBe('#!/bin/bash\necho in use\n');

    const cancelled = await cancelOperation(
      request(`/api/client-operations/${operation.id}/cancel`, { method: 'POST', headers: operator.headers }),
      withParams({ id: String(operation.id) }),
    );
    expect(cancelled.status).toBe(200);
    expect((await put(author, copy.id, { ...input, name: 'Used by a run', parameters: [], body: '#!/bin/bash\necho changed\n' })).status).toBe(200);
    expect((await remove()).status).toBe(200);
  });

  it('audits creation, edits, approval and deletion', async () => {
    const res = await deleteScript(
      request(`/api/scripts/${script.id}`, { method: 'DELETE', headers: operator.headers }),
      withParams({ id: String(script.id) }),
    );
    expect(res.status).toBe(200);
    expect((await getScript(request(`/api/scripts/${script.id}`, { headers: analyst.headers }), withParams({ id: String(script.id) }))).status).toBe(
      404,
    );
    const { rows } = await pool().query<{ m: string }>(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    const about = rows.map((r) => r.m).filter((m) => m.includes('"ObjectType":"Script"'));
    for (const id of [30000, 30001, 30002, 30003]) expect(about.some((m) => m.includes(`"messageId":${id}`))).toBe(true);
    expect(about.some((m) => m.includes('"Approve"'))).toBe(true);
  });

  it('saves a long script full of emoji, whichever emoji its audit message is shortened at', async () => {
    for (const before of ['', 'a']) {
      const body = `echo ${before}${'😀'.repeat(3000)}\n`;
      const created = await post(author, { ...input, name: `Smiles ${before.length}`, body });
      expect(created.status).toBe(201);
      expect((await read(((await created.json()) as Script).id)).name).toBe(`Smiles ${before.length}`);
    }
  });
});
