import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteRule, PATCH as patchRule } from '@/app/api/metering-rules/[id]/route';
import { POST as bulkRules } from '@/app/api/metering-rules/bulk/route';
import { GET as exportRules } from '@/app/api/metering-rules/export.csv/route';
import { POST as importRules } from '@/app/api/metering-rules/import/route';
import { GET as listRules, POST as createRule } from '@/app/api/metering-rules/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

type Rule = { id: number; productName: string; fileName: string; version: string; siteCode: string; enabled: boolean };

describe('software metering rules API', () => {
  let admin: TestSession;
  let operator: TestSession;
  let analyst: TestSession;
  const list = async (query = '') =>
    (await (await listRules(request(`/api/metering-rules${query}`, { headers: analyst.headers }))).json()).rules as Rule[];
  const create = (session: TestSession, body: unknown) =>
    createRule(request('/api/metering-rules', { method: 'POST', headers: session.headers, body }));

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('creates rules for full administrators only, validates each field and audits the change', async () => {
    const input = { productName: 'Firefox', fileName: 'firefox', version: '1*', siteCode: 's01' };
    expect((await create(analyst, input)).status).toBe(403);
    expect((await create(operator, input)).status).toBe(403);
    const created = await create(admin, input);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ productName: 'Firefox', siteCode: 'S01', version: '1*', originalFileName: '', enabled: true });
    expect((await create(admin, input)).status).toBe(409);

    const bad = async (body: unknown) => {
      const res = await create(admin, body);
      expect(res.status).toBe(400);
      return (await res.json()).error.fields[0].path as string;
    };
    expect(await bad({ ...input, productName: '' })).toBe('productName');
    expect(await bad({ ...input, fileName: 'bin/firefox' })).toBe('fileName');
    expect(await bad({ ...input, version: '1 2' })).toBe('version');
    expect(await bad({ ...input, siteCode: 'TOOLONG' })).toBe('siteCode');
    expect(await bad({ ...input, siteCode: 'ZZZ' })).toBe('siteCode');

    const audits = await pool().query(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    expect(audits.rows.some((r) => r.m.includes('MeteringRule') && r.m.includes('Firefox (firefox)') && r.m.includes('"messageId":30000'))).toBe(
      true,
    );
  });

  it('disables, edits and deletes a rule', async () => {
    const rule = (await list()).find((r) => r.productName === 'Firefox')!;
    const patch = (body: unknown, session = admin) =>
      patchRule(request(`/api/metering-rules/${rule.id}`, { method: 'PATCH', headers: session.headers, body }), withParams({ id: String(rule.id) }));
    expect((await patch({ enabled: false }, analyst)).status).toBe(403);
    expect(await (await patch({ enabled: false })).json()).toMatchObject({ enabled: false, version: '1*' });
    expect(await (await patch({ version: '128.*', fileName: '/usr/lib/firefox/firefox' })).json()).toMatchObject({
      version: '128.*',
      fileName: '/usr/lib/firefox/firefox',
      enabled: false,
    });
    expect((await (await patch({ colour: 'red' })).json()).error.fields[0].path).toBe('colour');
    expect((await (await patch({ version: 'a b' })).json()).error.fields[0].path).toBe('version');

    // A change that changes nothing (disabling a disabled rule, an empty body) keeps the rule's
    // version, so its revision in policy stays and no client acknowledges it again; nothing is audited.
    const before = (await list()).find((r) => r.id === rule.id) as Rule & { updatedAt: string };
    const audits = async () => (await pool().query(`SELECT count(*)::int AS n FROM status_inbox WHERE origin = 'audit'`)).rows[0].n as number;
    const auditsBefore = await audits();
    expect(await (await patch({ enabled: false, version: ' 128.* ' })).json()).toMatchObject({ enabled: false, updatedAt: before.updatedAt });
    expect(await (await patch({})).json()).toMatchObject({ updatedAt: before.updatedAt });
    expect(await audits()).toBe(auditsBefore);

    const remove = () =>
      deleteRule(request(`/api/metering-rules/${rule.id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(rule.id) }));
    expect((await remove()).status).toBe(200);
    expect((await list()).map((r) => r.id)).not.toContain(rule.id);
    expect((await remove()).status).toBe(404);
  });

  it('imports rules from CSV, keeping the good rows and refusing each bad one with its line and reason', async () => {
    expect((await create(admin, { productName: 'Vim', fileName: 'vim', siteCode: 'S01' })).status).toBe(201);
    const csv = [
      'Product Name,File Name,Original File Name,Version,Site,Enabled',
      'LibreOffice Writer,soffice.bin,,7.*,S01,yes',
      'Broken,,,1.0,S01,',
      'Code,/usr/share/code/code,,*,S01,no',
      'Elsewhere,thing,,*,XYZ,',
      'Vim,vim,,*,S01,',
      'Switch,switch,,*,S01,maybe',
      'LibreOffice Writer,soffice.bin,,7.*,S01,yes',
      'Gimp,gimp,,2.10.*,,',
    ].join('\n');
    const send = (session: TestSession) =>
      importRules(request('/api/metering-rules/import', { method: 'POST', headers: session.headers, body: { csv, siteCode: 'S01' } }));
    expect((await send(analyst)).status).toBe(403);
    const res = await send(admin);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.imported).toBe(3);
    expect(body.refused).toEqual([
      { line: 3, field: 'fileName', message: 'is required' },
      { line: 5, field: 'siteCode', message: 'XYZ is not a site of this hierarchy' },
      { line: 6, field: 'fileName', message: 'a rule for this product, file name and version already exists at this site' },
      { line: 7, field: 'enabled', message: 'must be true or false' },
      { line: 8, field: 'fileName', message: 'repeats the rule on line 2' },
    ]);
    expect(body.refusedCount).toBe(5);
    const rules = await list('?siteCode=S01');
    expect(rules.map((r) => [r.productName, r.enabled])).toEqual([
      ['Code', false],
      ['Gimp', true],
      ['LibreOffice Writer', true],
      ['Vim', true],
    ]);
    // The new rules answered by id, not whole.
    expect(body.rules).toBeUndefined();
    const byName = new Map(rules.map((r) => [r.productName, r.id]));
    expect([...body.ids].sort()).toEqual(['LibreOffice Writer', 'Code', 'Gimp'].map((name) => byName.get(name)).sort());
    const audits = await pool().query(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`);
    expect(audits.rows.some((r) => r.m.includes('"Import"') && r.m.includes('3 rules'))).toBe(true);
  });

  it('imports rows that name no site to the console’s own site when the request names none', async () => {
    const csv = ['Product Name,File Name,Site', 'Nano,nano,', 'Ed,ed,S01'].join('\n');
    const res = await importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ imported: 2, refused: [] });
    const rules = await list('?siteCode=S01');
    expect(rules.map((r) => r.productName)).toEqual(expect.arrayContaining(['Nano', 'Ed']));
  });

  it('imports 20,000 rows with one statement', async () => {
    // Every INSERT statement into metering_rule, counted as it runs.
    await pool().query(`
      CREATE TABLE metering_rule_inserts (at timestamptz DEFAULT now());
      CREATE FUNCTION count_metering_rule_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO metering_rule_inserts DEFAULT VALUES; RETURN NULL; END $$;
      CREATE TRIGGER count_metering_rule_insert AFTER INSERT ON metering_rule FOR EACH STATEMENT EXECUTE FUNCTION count_metering_rule_insert();`);
    try {
      const csv = ['Product Name,File Name', ...Array.from({ length: 20_000 }, (_, i) => `Many ${i},many-${i}`)].join('\n');
      const res = await importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ imported: 20_000, refused: [] });
      expect((await pool().query(`SELECT count(*)::int AS n FROM metering_rule WHERE product_name LIKE 'Many %'`)).rows[0].n).toBe(20_000);
      // Through the ORM's createMany it took a statement per few thousand rows and some 2.5 ms
      // of the server's CPU a row (50 s), its other requests waiting.
      expect((await pool().query(`SELECT count(*)::int AS n FROM metering_rule_inserts`)).rows[0].n).toBe(1);
    } finally {
      await pool().query(`
        DROP TRIGGER count_metering_rule_insert ON metering_rule;
        DROP FUNCTION count_metering_rule_insert();
        DROP TABLE metering_rule_inserts;
        DELETE FROM metering_rule WHERE product_name LIKE 'Many %';`);
    }
  });

  it('answers the first 1,000 refused rows of a file refused row by row, and how many there were', async () => {
    const csv = ['Product Name,File Name', ...Array.from({ length: 1500 }, (_, i) => `Refused ${i},`)].join('\n');
    const res = await importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { imported: number; ids: number[]; refused: { line: number }[]; refusedCount: number };
    expect(body).toMatchObject({ imported: 0, ids: [], refusedCount: 1500 });
    expect(body.refused.map((r) => r.line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
  });

  it('refuses a header that names no file column, and unreadable CSV, with the line', async () => {
    const send = async (csv: string) =>
      (await (await importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }))).json()) as {
        imported: number;
        refused: { line: number; field: string }[];
      };
    expect(await send('Product,Colour\nA,red')).toMatchObject({
      imported: 0,
      refused: [
        { line: 1, field: 'Colour' },
        { line: 1, field: 'fileName' },
      ],
    });
    expect((await send('Product,File\nA,"unclosed\n')).refused[0]).toMatchObject({ field: 'csv' });
  });

  it('enables, disables and deletes many rules at once, audited as one change, and tells which ids no rule has', async () => {
    const ids: number[] = [];
    for (const productName of ['Bulk A', 'Bulk B', 'Bulk C']) {
      const res = await create(admin, { productName, fileName: productName.replace(' ', '-').toLowerCase(), siteCode: 'S01' });
      ids.push((await res.json()).id);
    }
    const bulk = async (body: unknown, session = admin) =>
      bulkRules(request('/api/metering-rules/bulk', { method: 'POST', headers: session.headers, body }));
    const enabled = async () => (await list('?search=Bulk')).map((r) => [r.productName, r.enabled]);
    const stamps = async () =>
      (await pool().query(`SELECT updated_at FROM metering_rule WHERE id = ANY($1) ORDER BY id`, [ids])).rows.map((r) => r.updated_at.getTime());
    expect((await bulk({ action: 'disable', ids }, operator)).status).toBe(403);
    expect((await bulk({ action: 'disable', ids }, analyst)).status).toBe(403);

    const before = await stamps();
    const disabled = await bulk({ action: 'disable', ids: [...ids, 999_999] });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toEqual({ action: 'disable', changed: 3, unchanged: 0, notFound: [999_999] });
    expect(await enabled()).toEqual([
      ['Bulk A', false],
      ['Bulk B', false],
      ['Bulk C', false],
    ]);
    // A new revision for each, so policy carries the change to the agents.
    (await stamps()).forEach((stamp, i) => expect(stamp).toBeGreaterThan(before[i]));

    expect(await (await bulk({ action: 'enable', ids: [ids[0]] })).json()).toEqual({ action: 'enable', changed: 1, unchanged: 0, notFound: [] });
    expect(await (await bulk({ action: 'disable', ids })).json()).toEqual({ action: 'disable', changed: 1, unchanged: 2, notFound: [] });
    expect(await (await bulk({ action: 'delete', ids: [ids[1], ids[2]] })).json()).toEqual({
      action: 'delete',
      changed: 2,
      unchanged: 0,
      notFound: [],
    });
    expect(await enabled()).toEqual([['Bulk A', false]]);
    const audits = (await pool().query<{ m: string }>(`SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit'`)).rows.map((r) => r.m);
    expect(audits.some((m) => m.includes('"Disable"') && m.includes('3 rules') && m.includes('S01:Bulk B (bulk-b *)'))).toBe(true);
    expect(audits.some((m) => m.includes('"Delete"') && m.includes('2 rules'))).toBe(true);

    const refused = async (body: unknown) => {
      const res = await bulk(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      return (await res.json()).error.fields[0].path as string;
    };
    expect(await refused({ action: 'explode', ids })).toBe('action');
    expect(await refused({ action: 'enable', ids: [] })).toBe('ids');
    expect(await refused({ action: 'enable', ids: [ids[0], ids[0]] })).toBe('ids');
    expect(await refused({ action: 'enable', ids: ['x'] })).toBe('ids.0');
    expect(await refused({ action: 'enable', ids: [3_000_000_000] })).toBe('ids.0');
    expect(await refused({ action: 'enable', ids: Array.from({ length: 1001 }, (_, i) => i + 1) })).toBe('ids');
    expect(await refused({ action: 'enable' })).toBe('ids');
  });

  it('exports the rules in the import’s own columns, and the export imports back as it was', async () => {
    const risky = { productName: '@Risk', fileName: 'risk', version: '8.*', siteCode: 'S01', comment: 'pool of 20 seats, "named" users' };
    expect((await create(admin, { ...risky, originalFileName: 'RISK.EXE' })).status).toBe(201);
    // A text that starts with an apostrophe before a formula character comes back with its apostrophe.
    expect((await create(admin, { productName: 'Zeta', fileName: 'zeta', siteCode: 'S01', comment: "'-- per seat" })).status).toBe(201);
    const exported = async (query = '', session: TestSession | null = analyst) =>
      exportRules(request(`/api/metering-rules/export.csv${query}`, { headers: session?.headers }));
    const res = await exported();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="metering-rules.csv"');
    const csv = await res.text();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Product Name,File Name,Original File Name,Version,Site,Comment,Enabled');
    // A leading @ is kept from spreadsheets' formulas by an apostrophe, which the import drops again.
    expect(lines[1]).toBe(`'@Risk,risk,RISK.EXE,8.*,S01,"pool of 20 seats, ""named"" users",yes`);
    expect(lines.some((line) => line.startsWith('Code,/usr/share/code/code,,*,S01,,no'))).toBe(true);
    expect((await (await exported('?search=bulk')).text()).trimEnd().split('\r\n')).toHaveLength(2);
    expect((await exported('?siteCode=S01')).headers.get('content-disposition')).toContain('metering-rules-S01.csv');
    expect((await exported('', null)).status).toBe(401);

    const fields = (r: Rule & { comment?: string; originalFileName?: string }) =>
      [r.productName, r.fileName, r.originalFileName, r.version, r.siteCode, r.comment, r.enabled].join('|');
    const before = (await list()).map(fields);
    const ids = (await list()).map((r) => r.id);
    const removed = await bulkRules(request('/api/metering-rules/bulk', { method: 'POST', headers: admin.headers, body: { action: 'delete', ids } }));
    expect((await removed.json()).changed).toBe(ids.length);
    const back = await importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }));
    expect(await back.json()).toMatchObject({ imported: ids.length, refused: [] });
    expect((await list()).map(fields)).toEqual(before);
  });

  it('keeps both of two changes made at once to different fields, and deletes a rule sent for deletion twice at once once', async () => {
    const rule = await (await create(admin, { productName: 'Twice', fileName: 'twice', siteCode: 'S01' })).json();
    const patch = (body: unknown) =>
      patchRule(request(`/api/metering-rules/${rule.id}`, { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(rule.id) }));
    const changes = await Promise.all([patch({ enabled: false }), patch({ comment: 'ten seats' }), patch({ version: '2.*' })]);
    expect(changes.map((c) => c.status)).toEqual([200, 200, 200]);
    expect((await list()).find((r) => r.id === rule.id)).toMatchObject({ enabled: false, comment: 'ten seats', version: '2.*' });

    const remove = () =>
      deleteRule(request(`/api/metering-rules/${rule.id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(rule.id) }));
    const answers = await Promise.all([remove(), remove(), remove(), remove()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404]);
    const audits = await pool().query(
      `SELECT messages::text AS m FROM status_inbox WHERE origin = 'audit' AND messages::text LIKE '%Twice (twice)%'`,
    );
    expect(audits.rows.filter((r) => r.m.includes('"messageId":30002')).length).toBe(1);
  });

  it('refuses an edit made from a version someone else changed since, and keeps their change', async () => {
    type Versioned = Rule & { comment: string; updatedAt: string };
    const opened: Versioned = await (await create(admin, { productName: 'Two editors', fileName: 'two', siteCode: 'S01' })).json();
    const other = await signInAs('FULL_ADMINISTRATOR');
    const patch = (session: TestSession, body: unknown) =>
      patchRule(
        request(`/api/metering-rules/${opened.id}`, { method: 'PATCH', headers: session.headers, body }),
        withParams({ id: String(opened.id) }),
      );
    const form = { productName: 'Two editors', fileName: 'two', originalFileName: '', version: '*', siteCode: 'S01', enabled: true };
    // Both open the rule's form; the other administrator saves first.
    expect((await patch(other, { ...form, comment: 'theirs', baseUpdatedAt: opened.updatedAt })).status).toBe(200);
    const stale = await patch(admin, { ...form, comment: 'mine', baseUpdatedAt: opened.updatedAt });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toBe(
      `${other.userName} changed the rule after you opened it; cancel, then edit it again to start from their version.`,
    );
    const current = (await list()).find((r) => r.id === opened.id) as Versioned;
    expect(current.comment).toBe('theirs');
    // Made from the current version, the edit goes through; a change naming no version still does too.
    expect((await patch(admin, { ...form, comment: 'mine', baseUpdatedAt: current.updatedAt })).status).toBe(200);
    expect(await (await patch(other, { enabled: false })).json()).toMatchObject({ enabled: false, comment: 'mine' });
    expect((await (await patch(admin, { comment: 'x', baseUpdatedAt: '2026-13-45' })).json()).error.fields[0].path).toBe('baseUpdatedAt');
  });

  it('refuses what the database cannot hold with a 400 naming the field', async () => {
    const nul = await create(admin, { productName: 'A\u0000B', fileName: 'a', siteCode: 'S01' });
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.fields[0].path).toBe('productName');
    const huge = await patchRule(
      request('/api/metering-rules/3000000000', { method: 'PATCH', headers: admin.headers, body: { enabled: false } }),
      withParams({ id: '3000000000' }),
    );
    expect(huge.status).toBe(400);
    expect((await huge.json()).error.fields[0].path).toBe('id');
    const csv = await importRules(
      request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv: 'Product,File\nA,b\u0000' } }),
    );
    expect(csv.status).toBe(400);
    expect((await csv.json()).error.fields[0].path).toBe('csv');
  });
});
