// devices: the Devices and Collections views' data requests at fleet scale.
//
//   npm run bench -- devices [--devices 100000] [--rounds 5]
//
// Seeds a fresh database (embedded PostgreSQL in a temporary folder, or a new database on
// DATABASE_URL's server) with the demo site and N devices, evaluates the collections, then
// times GET /api/devices (the real route handler: session check, zod, Prisma, PostgreSQL) for
// the views an administrator uses: first and deep pages under every sort, searches, filters
// and a collection's members. Prints one final JSON line.
import { NextRequest } from 'next/server';
import { GET as listDevices } from '../app/api/devices/route';
import { hashPassword } from '../lib/auth/password';
import { createSession } from '../lib/auth/sessions';
import { resetConfig } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma, prisma } from '../lib/db/prisma';
import { deviceSortColumns } from '../lib/devices/list-devices.schema';
import { seedDemoSite } from '../lib/seed/seed-demo-site';
import { freshDatabase } from './support/sitebox-server';

const log = (message: string) => process.stderr.write(`[devices] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

export default async function devicesBench(args: string[]) {
  const devices = option(args, 'devices', 100_000);
  const rounds = option(args, 'rounds', 5);
  const db = await freshDatabase('sitebox_bench_devices');
  try {
    process.env.DATABASE_URL = db.url;
    resetConfig();
    await migrate({ connectionString: db.url });
    let t = performance.now();
    await seedDemoSite({ devices });
    log(`seeded ${devices} devices and evaluated collections in ${Math.round(performance.now() - t)} ms`);
    await pool().query('ANALYZE');

    const user = await prisma().consoleUser.create({
      data: { userName: 'bench', role: 'READ_ONLY_ANALYST', passwordHash: await hashPassword('bench-password-1'), mustChangePassword: false },
    });
    const session = await createSession({ userId: user.id, address: '127.0.0.1', userAgent: 'bench' });
    const allServers = await prisma().collection.findUniqueOrThrow({ where: { collectionId: 'SMS00002' } });
    const deepPage = Math.floor(devices / 100 / 2);

    const views: Record<string, string> = {};
    for (const sort of deviceSortColumns) {
      for (const dir of ['asc', 'desc']) {
        views[`sort ${sort} ${dir}, page 1`] = `sort=${sort}&dir=${dir}&page=1&pageSize=50`;
        views[`sort ${sort} ${dir}, page ${deepPage}`] = `sort=${sort}&dir=${dir}&page=${deepPage}&pageSize=100`;
      }
    }
    Object.assign(views, {
      'search a name': 'search=NYC-WS-01&page=1&pageSize=50',
      'search an OS': 'search=Server%202019&page=1&pageSize=50',
      'search an IP prefix': 'search=10.20.16.&page=1&pageSize=50',
      'online only': 'online=true&page=1&pageSize=50',
      'servers by last seen': 'osKind=SERVER&sort=lastSeenAt&dir=desc&page=1&pageSize=50',
      'All Servers members': `collectionId=${allServers.id}&page=1&pageSize=50`,
      'All Servers members, last page': `collectionId=${allServers.id}&page=${Math.ceil(allServers.memberCount / 50)}&pageSize=50`,
    });

    const headers = { cookie: `sitebox_session=${session.token}` };
    const timings: number[] = [];
    const byView: Record<string, number[]> = {};
    for (let round = 0; round <= rounds; round++) {
      for (const [name, qs] of Object.entries(views)) {
        t = performance.now();
        const response = await listDevices(new NextRequest(`http://localhost/api/devices?${qs}`, { headers }));
        const body = await response.json();
        const ms = performance.now() - t;
        if (response.status !== 200) throw new Error(`${name}: ${response.status} ${JSON.stringify(body)}`);
        if (round === 0) continue; // warm-up
        timings.push(ms);
        (byView[name] ??= []).push(ms);
      }
    }
    for (const [name, ms] of Object.entries(byView)) log(`${name}: p95 ${percentile(ms, 95).toFixed(1)} ms`);
    const slowest = Object.entries(byView)
      .map(([name, ms]) => [name, percentile(ms, 95)] as const)
      .sort((a, b) => b[1] - a[1])[0];
    console.log(
      JSON.stringify({
        scenario: 'devices',
        devices,
        views: Object.keys(views).length,
        requests: timings.length,
        p50Ms: Math.round(percentile(timings, 50) * 10) / 10,
        p95Ms: Math.round(percentile(timings, 95) * 10) / 10,
        maxMs: Math.round(Math.max(...timings) * 10) / 10,
        slowestView: slowest[0],
        slowestViewP95Ms: Math.round(slowest[1] * 10) / 10,
      }),
    );
  } finally {
    await Promise.all([closePool(), closePrisma()]);
    await db.drop();
  }
}
