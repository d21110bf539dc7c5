// The migration that adds runs-at-once steps fills them and their days from the runs the summarizer
// had already counted (their raw rows still kept), and leaves the runs it has not counted to it.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, migrate } from '@/lib/db/migrator';
import { createEmptyDatabase } from '../../support/database';
import { withClient } from '../../support/postgres-admin';

const MIGRATION = '20261207074443_metering_concurrency';

describe(`migration ${MIGRATION}`, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('adds the steps of every counted run still kept, once, and none of a run not counted yet', async () => {
    const db = await createEmptyDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-migrations-'));
    const all = (await readdir(defaultMigrationsDir(), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(all).toContain(MIGRATION);
    for (const name of all.filter((n) => n < MIGRATION)) await cp(path.join(defaultMigrationsDir(), name), path.join(dir, name), { recursive: true });
    await migrate({ connectionString: db.url, dir });

    await withClient(db.url, (c) =>
      c.query(
        `INSERT INTO metering_usage (device_id, rule_id, usage_key, started_at, ended_at, user_name, process_id, file_path, summarized_at)
         VALUES (1, 7, 'a', '2026-12-01T10:00:30Z', '2026-12-01T10:05:10Z', 'u', 1, '/x', now()),
                (2, 7, 'b', '2026-12-01T10:03:00Z', '2026-12-01T10:06:00Z', 'u', 1, '/x', now()),
                (2, 7, 'c', '2026-12-01T11:00:10Z', '2026-12-01T11:00:40Z', 'u', 1, '/x', now()),
                (3, 7, 'd', '2026-12-01T12:00:00Z', '2026-12-01T13:00:00Z', 'u', 1, '/x', NULL)`,
      ),
    );
    await cp(path.join(defaultMigrationsDir(), MIGRATION), path.join(dir, MIGRATION), { recursive: true });
    expect((await migrate({ connectionString: db.url, dir })).applied).toEqual([MIGRATION]);

    const steps = await withClient(
      db.url,
      async (c) => (await c.query<{ at: Date; delta: number }>(`SELECT at, delta FROM metering_concurrency WHERE rule_id = 7 ORDER BY at`)).rows,
    );
    // a holds 10:01–10:05, b 10:03–10:05; c held no minute's start; d waits for the summarizer.
    expect(steps.map((s) => `${s.at.toISOString().slice(11, 16)} ${s.delta}`)).toEqual(['10:01 1', '10:03 1', '10:06 -2']);
    const days = await withClient(
      db.url,
      async (c) =>
        (await c.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, net, max_rise, max_rise_at FROM metering_concurrency_day WHERE rule_id = 7`)).rows,
    );
    expect(days).toEqual([{ day: '2026-12-01', net: 0, max_rise: 2, max_rise_at: new Date('2026-12-01T10:03:00Z') }]);
    await db.drop();
  });
});
