import { beforeAll, describe, expect, it } from 'vitest';
import { PATCH as patchRule } from '@/app/api/metering-rules/[id]/route';
import { POST as bulkRules } from '@/app/api/metering-rules/bulk/route';
import { POST as importRules } from '@/app/api/metering-rules/import/route';
import { POST as createRule } from '@/app/api/metering-rules/route';
import { pool } from '@/lib/db/pool';
import { insertMeteringRules } from '@/lib/metering/repo';
import { MAX_POLICY_RULES } from '@/lib/protocol/metering-policy.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

const enabledAtS01 = async () =>
  (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM metering_rule WHERE enabled AND site_code = 'S01'`)).rows[0].n;
const audits = async () => (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM status_inbox WHERE origin = 'audit'`)).rows[0].n;
const ruleNamed = async (productName: string) =>
  (await pool().query<{ id: number; enabled: boolean }>(`SELECT id, enabled FROM metering_rule WHERE product_name = $1`, [productName])).rows[0];

describe('software metering rules a policy can carry', () => {
  let admin: TestSession;
  const create = (body: unknown) => createRule(request('/api/metering-rules', { method: 'POST', headers: admin.headers, body }));
  const patch = (id: number, body: unknown) =>
    patchRule(request(`/api/metering-rules/${id}`, { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(id) }));
  const bulk = (body: unknown) => bulkRules(request('/api/metering-rules/bulk', { method: 'POST', headers: admin.headers, body }));
  const importCsv = (csv: string) => importRules(request('/api/metering-rules/import', { method: 'POST', headers: admin.headers, body: { csv } }));
  const refusedField = async (res: Response) => {
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.message).toMatch(/^Site S01 would have 50,001 enabled rules; a client's policy carries at most 50,000\./);
    return body.error.fields[0].path as string;
  };

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    // One short of what a policy carries, and one more waiting disabled.
    await insertMeteringRules(
      pool(),
      Array.from({ length: MAX_POLICY_RULES }, (_, n) => ({
        productName: n === 0 ? 'Waiting' : `Product ${n}`,
        fileName: `app-${n}`,
        originalFileName: '',
        version: '*',
        siteCode: 'S01',
        comment: '',
        enabled: n !== 0,
      })),
    );
  }, 120_000);

  it('refuses each change that would enable one rule too many at a site, naming the field, and stores nothing of it', async () => {
    expect(await enabledAtS01()).toBe(MAX_POLICY_RULES - 1);
    expect((await create({ productName: 'Last', fileName: 'last', siteCode: 'S01' })).status).toBe(201);
    expect(await enabledAtS01()).toBe(MAX_POLICY_RULES);
    const auditsAtFull = await audits();

    expect(await refusedField(await create({ productName: 'One more', fileName: 'one-more', siteCode: 'S01' }))).toBe('enabled');
    expect(await ruleNamed('One more')).toBeUndefined();
    const waiting = await ruleNamed('Waiting');
    expect(await refusedField(await patch(waiting.id, { enabled: true }))).toBe('enabled');
    expect(await refusedField(await bulk({ action: 'enable', ids: [waiting.id] }))).toBe('enabled');
    expect(await refusedField(await importCsv('Product Name,File Name,Site\nImported,imported,S01'))).toBe('enabled');
    expect(await ruleNamed('Imported')).toBeUndefined();
    expect((await ruleNamed('Waiting')).enabled).toBe(false);
    expect(await enabledAtS01()).toBe(MAX_POLICY_RULES);
    expect(await audits()).toBe(auditsAtFull);

    // Disabled rules do not count: they are added; once a rule is disabled, another can be enabled.
    expect((await create({ productName: 'Later', fileName: 'later', siteCode: 'S01', enabled: false })).status).toBe(201);
    const last = await ruleNamed('Last');
    expect((await patch(last.id, { enabled: false })).status).toBe(200);
    expect((await patch(waiting.id, { enabled: true })).status).toBe(200);
    expect(await enabledAtS01()).toBe(MAX_POLICY_RULES);
  });

  it('stores a rule only with its audit: a change whose audit the database refuses is not made', async () => {
    await pool().query(`
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.origin = 'audit' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_audit BEFORE INSERT ON status_inbox FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
    try {
      const waiting = await ruleNamed('Waiting');
      expect((await create({ productName: 'Unaudited', fileName: 'unaudited', siteCode: 'S01', enabled: false })).status).toBe(500);
      expect((await patch(waiting.id, { comment: 'unaudited' })).status).toBe(500);
      expect((await bulk({ action: 'disable', ids: [waiting.id] })).status).toBe(500);
    } finally {
      await pool().query(`DROP TRIGGER refuse_audit ON status_inbox; DROP FUNCTION refuse_audit();`);
    }
    expect(await ruleNamed('Unaudited')).toBeUndefined();
    const { rows } = await pool().query(`SELECT comment, enabled FROM metering_rule WHERE product_name = 'Waiting'`);
    expect(rows).toEqual([{ comment: '', enabled: true }]);
  });
});
