import { beforeAll, describe, expect, it } from 'vitest';
import { POST } from '@/app/api/mp/child-site-link/route';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { issueSiteSystemCredential } from '@/lib/sites/site-system-credentials';
import { readSiteHierarchy } from '@/lib/status/site-hierarchy';
import { request } from '../../support/console-session';
import { siteSystemCredential } from '../../support/credentials';
import { useTestDatabase } from '../../support/database';

const report = (body: unknown, authorization?: string) =>
  POST(request('/api/mp/child-site-link', { method: 'POST', body, headers: authorization ? { authorization } : {} }), {
    params: Promise.resolve({}),
  });

describe('POST /api/mp/child-site-link', () => {
  let child: string;
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    child = (await issueSiteSystemCredential({ siteCode: 'C07', name: 'c07-ss01.example.com', childOf: config().SITEBOX_SITE_CODE })).credential;
  });

  it("records the child's outbox backlog and failed attempts, shown on the parent's Site Hierarchy", async () => {
    const oldest = '2026-12-01T10:00:00.000Z';
    const response = await report({ backlog: { HIGH: 2, MEDIUM: 0, LOW: 40_000 }, consecutiveFailures: 13, oldestQueuedAt: oldest }, child);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'recorded' });
    const hierarchy = await readSiteHierarchy({ db: pool(), siteCode: config().SITEBOX_SITE_CODE });
    expect(hierarchy.children).toEqual([
      expect.objectContaining({
        code: 'C07',
        lastMessageAt: null,
        link: expect.objectContaining({
          state: 'DEGRADED',
          backlog: { HIGH: 2, MEDIUM: 0, LOW: 40_000 },
          consecutiveFailures: 13,
          oldestQueuedAt: oldest,
        }),
      }),
    ]);
    // A later report replaces it.
    expect((await report({ backlog: { HIGH: 0, MEDIUM: 0, LOW: 0 }, consecutiveFailures: 0, oldestQueuedAt: null }, child)).status).toBe(200);
    const again = await readSiteHierarchy({ db: pool(), siteCode: config().SITEBOX_SITE_CODE });
    expect(again.children[0].link).toMatchObject({ state: 'OK', backlog: { HIGH: 0, MEDIUM: 0, LOW: 0 }, oldestQueuedAt: null });
    // Until the child says what it is called, the parent knows only its code.
    expect(again.children[0].name).toBe('C07');
  });

  it("takes the child's own name from its report", async () => {
    const quiet = { backlog: { HIGH: 0, MEDIUM: 0, LOW: 0 }, consecutiveFailures: 0, oldestQueuedAt: null };
    expect((await report({ ...quiet, siteName: 'Branch — Lyon' }, child)).status).toBe(200);
    const hierarchy = await readSiteHierarchy({ db: pool(), siteCode: config().SITEBOX_SITE_CODE });
    expect(hierarchy.children[0]).toMatchObject({ code: 'C07', name: 'Branch — Lyon' });
    // A report without a name (from a child of an earlier version) keeps the one known.
    expect((await report(quiet, child)).status).toBe(200);
    expect((await readSiteHierarchy({ db: pool(), siteCode: config().SITEBOX_SITE_CODE })).children[0].name).toBe('Branch — Lyon');
  });

  it('refuses a report without a valid credential, from this site, or naming a bad field', async () => {
    const valid = { backlog: { HIGH: 0, MEDIUM: 0, LOW: 0 }, consecutiveFailures: 0, oldestQueuedAt: null };
    expect((await report(valid)).status).toBe(401);
    expect((await report(valid, `SiteSystem 1.${'x'.repeat(43)}`)).status).toBe(401);
    const own = await siteSystemCredential(config().SITEBOX_SITE_CODE, 'mp02.example.com');
    expect((await report(valid, own)).status).toBe(403);
    for (const [body, field] of [
      [{ ...valid, backlog: { HIGH: -1, MEDIUM: 0, LOW: 0 } }, 'backlog.HIGH'],
      [{ ...valid, consecutiveFailures: 1.5 }, 'consecutiveFailures'],
      [{ ...valid, oldestQueuedAt: '2026-02-30T00:00:00Z' }, 'oldestQueuedAt'],
      [{ ...valid, extra: 1 }, ''],
      [{ ...valid, siteName: 'two\nlines' }, 'siteName'],
      [{ ...valid, siteName: '' }, 'siteName'],
      [{ ...valid, siteName: 'Lyon \u202Ereversed' }, 'siteName'],
      [{ ...valid, siteName: '\u2067Lyon' }, 'siteName'],
    ] as const) {
      const response = await report(body, child);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await response.json())).toContain(field);
    }
    expect((await report('{not json', child)).status).toBe(400);
  });
});
