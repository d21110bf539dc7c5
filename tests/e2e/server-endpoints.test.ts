import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server';
import { useTestDatabase } from '../support/database';

// The real server.ts over HTTP, no browser: its static files, and /api/metrics with a real worker
// process supervised beside it, reporting through its heartbeat.
describe('server endpoints', () => {
  let server: AppServer;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    server = await startAppServer({
      databaseUrl: url,
      env: { SITEBOX_WORKERS: 'collection-evaluator', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' },
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers robots.txt keeping every page out of search engines, without a session', async () => {
    const response = await fetch(`${server.url}/robots.txt`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  it('serves the icon to a signed-out visitor and names it in the sign-in page', async () => {
    const icon = await fetch(`${server.url}/icon.svg`, { redirect: 'manual' });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    const page = await (await fetch(`${server.url}/sign-in`)).text();
    expect(page).toMatch(/<link rel="icon" href="\/icon.svg" type="image\/svg\+xml"/);
  });

  it("serves this process's metrics and the collection evaluator's own, labelled with the worker", async () => {
    const scrape = async () => {
      const response = await fetch(`${server.url}/api/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    // The worker writes its registry with each heartbeat; its first pass shows within a few beats.
    let body = '';
    await expect
      .poll(async () => (body = await scrape()), { timeout: 60_000, interval: 500 })
      .toMatch(/^sitebox_collection_evaluator_runs_total\{outcome="evaluated",worker="collection-evaluator",host="[^"]+"\} [1-9]/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total\{worker="collection-evaluator",host="[^"]+"\} \d/m);
    expect(body).toMatch(/^sitebox_status_inbox_messages \d+$/m);
  });
});
