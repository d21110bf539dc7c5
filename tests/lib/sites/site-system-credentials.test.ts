import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { AppError } from '@/lib/errors';
import { authenticateSiteSystem, issueSiteSystemCredential } from '@/lib/sites/site-system-credentials';
import { useTestDatabase } from '../../support/database';

describe('site system credentials', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
  });

  it('accepts the issued credential, and only the latest one', async () => {
    const first = await issueSiteSystemCredential({ siteCode: 'S01', name: 'S01-MP03.corp.example.com' });
    await expect(authenticateSiteSystem(first.credential)).resolves.toMatchObject({ name: 'S01-MP03.corp.example.com', siteCode: 'S01' });
    const second = await issueSiteSystemCredential({ siteCode: 'S01', name: 'S01-MP03.corp.example.com' });
    expect(second.siteSystemId).toBe(first.siteSystemId);
    const stale = await authenticateSiteSystem(first.credential).catch((e) => e);
    expect(stale).toBeInstanceOf(AppError);
    expect(stale.code).toBe('UNAUTHENTICATED');
    await expect(authenticateSiteSystem(second.credential)).resolves.toMatchObject({ id: first.siteSystemId });
  });

  it('refuses a device credential or garbage', async () => {
    for (const header of [undefined, 'SiteSystem 1.short', `Device 1.${'a'.repeat(43)}`]) {
      expect((await authenticateSiteSystem(header).catch((e) => e)).code).toBe('UNAUTHENTICATED');
    }
  });
});
