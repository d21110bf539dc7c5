// `npm run agent` as a real process: what it says in its log about the deployments it receives and
// runs, against a management point serving the real registration, policy and ingest routes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as registerRoute } from '@/app/api/mp/register/route';
import { GET as policyRoute } from '@/app/api/mp/policy/route';
import { POST as ingestRoute } from '@/app/api/mp/status-messages/route';
import { loadOrRegisterCredential } from '@/lib/agent/register-agent';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import { createDeployment } from '@/lib/deployments/create-deployment';
import { createPackage } from '@/lib/deployments/create-package';
import { useTestDatabase } from '../support/database';
import { RouteServer } from '../lib/status/serve-route';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

describe('npm run agent', () => {
  let mp: RouteServer;
  let stateDir: string;

  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    mp = new RouteServer({ '/api/mp/register': registerRoute, '/api/mp/policy': policyRoute, '/api/mp/status-messages': ingestRoute });
    await mp.start();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-agent-log-'));
    // Registered beforehand (the agent keeps its credential in its state folder), so the device can be
    // put in a collection with a deployment before the agent's first policy fetch.
    const { credential } = await loadOrRegisterCredential({
      managementPointUrl: mp.url,
      stateDir,
      identity: { name: 'WKS-LOG', osName: 'Windows 11 Enterprise', osVersion: '10.0.26100', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
    });
    const { rows } = await pool().query(`INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100010', 'Pilot', now()) RETURNING id`);
    await pool().query(`INSERT INTO collection_rule (collection_id, kind, device_id) VALUES ($1, 'DIRECT', $2)`, [rows[0].id, credential.deviceId]);
    await evaluateCollections({ db: pool() });
    const pkg = await createPackage({
      actor,
      input: {
        name: 'Payroll client',
        version: '4.2',
        manufacturer: 'Contoso',
        programs: [
          {
            name: 'Install',
            commandLine: 'setup.exe',
            runConditions: {
              userLogon: 'whether-or-not',
              runMode: 'administrative',
              maxRunMinutes: 60,
              retries: 0,
              retryIntervalMinutes: 10,
              successExitCodes: [0],
            },
          },
        ],
      },
    });
    const { rows: programs } = await pool().query(`SELECT id FROM program WHERE package_id = $1`, [pkg.id]);
    await createDeployment({
      actor,
      input: {
        name: 'Payroll 4.2',
        comment: '',
        programId: programs[0].id,
        collectionId: rows[0].id,
        availableAt: new Date(Date.now() - 60_000),
        mandatoryAt: null,
        expiresAt: null,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await mp?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('logs the deployment it received and the program run it made, with how it ended', async () => {
    const agent = spawn(process.execPath, ['--import', 'tsx', 'scripts/agent.ts', '--mp', mp.url, '--name', 'WKS-LOG', '--state', stateDir], {
      env: { ...process.env, LOG_LEVEL: 'info', SITEBOX_AGENT_PROGRAM_OUTCOME: '1603' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: { msg: string; deploymentId?: string; program?: string; exitCode?: number; level: number }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        agent.once('exit', (code) => reject(new Error(`the agent exited (${code}) before it logged the outcome`)));
        createInterface({ input: agent.stdout! }).on('line', (text) => {
          if (!text.startsWith('{')) return;
          const line = JSON.parse(text);
          lines.push(line);
          if (line.msg === 'program failed') resolve();
        });
      });
    } finally {
      agent.kill('SIGTERM');
      if (agent.exitCode === null && agent.signalCode === null) await new Promise((resolve) => agent.once('exit', resolve));
    }
    const deploymentLines = lines.filter((l) => l.deploymentId);
    expect(deploymentLines.map((l) => l.msg)).toEqual(['deployment received', 'program started', 'program failed']);
    expect(deploymentLines[0]).toMatchObject({ deploymentId: expect.stringMatching(/^S01/), program: 'Install', level: 30 });
    expect(deploymentLines[2]).toMatchObject({ exitCode: 1603, level: 40 });
  }, 60_000);
});
