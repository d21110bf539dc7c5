// The agent's deployment runner on its own: what it runs when, and which program status messages
// it reports (read back from the real status reporter's spool on disk). Time is a manual clock.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeploymentRunner, simulateFromSpec, type SimulatedRun } from '@/lib/agent/deployment-runner';
import { manualClock } from '@/lib/clock';
import type { PolicyDeployment } from '@/lib/protocol/policy-deployment.schema';
import { catalog, statusMessageIds as ids } from '@/lib/reporting/catalog';
import { createStatusReporter, type StatusReporter } from '@/lib/agent/status-reporter';

const t0 = new Date('2026-11-23T09:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(t0.getTime() + minutes * MIN).toISOString();

function deployment(overrides: Partial<PolicyDeployment> = {}): PolicyDeployment {
  return {
    deploymentId: 'S0120001',
    name: 'Payroll',
    packageId: 'S0100001',
    packageName: 'Payroll',
    programName: 'Install',
    commandLine: 'setup.exe',
    availableAt: at(0),
    mandatoryAt: null,
    expiresAt: at(24 * 60),
    runConditions: {
      userLogon: 'whether-or-not',
      runMode: 'administrative',
      maxRunMinutes: 60,
      retries: 0,
      retryIntervalMinutes: 10,
      successExitCodes: [0, 3010],
    },
    ...overrides,
  };
}

describe('deployment runner', () => {
  let dir: string;
  let spool = 0;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-runner-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A reporter that is never started: what it was given stays in its spool, in order. */
  function spooled(): {
    reporter: StatusReporter;
    read(): Promise<{ uid: string; messageId: number; severity: string; type: string; insertionStrings: string[]; sourceTime: string }[]>;
  } {
    const spoolDir = path.join(dir, `spool-${spool++}`);
    const reporter = createStatusReporter({ managementPointUrl: 'http://127.0.0.1:9', spoolDir });
    return {
      reporter,
      async read() {
        const files = (await readdir(spoolDir)).filter((f) => f.endsWith('.batch.json')).sort();
        const batches = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(spoolDir, f), 'utf8')).messages));
        return batches.flat();
      },
    };
  }

  it('runs a mandatory program at its time and retries a failure before reporting success', async () => {
    const clock = manualClock(t0);
    const outcomes: SimulatedRun[] = [{ exitCode: 1603 }, { exitCode: 0 }];
    const runner = createDeploymentRunner({ clock, timers: false, simulate: () => outcomes.shift()! });
    const { reporter, read } = spooled();
    const d = deployment({ mandatoryAt: at(60), runConditions: { ...deployment().runConditions, retries: 1, retryIntervalMinutes: 15 } });
    const policy = { siteCode: 'S01', deployments: [d] };

    await runner(policy, { reporter, deviceName: 'WKS-1' });
    expect((await read()).map((m) => m.messageId)).toEqual([ids.programReceived]);
    await runner(policy, { reporter, deviceName: 'WKS-1' }); // the next poll: nothing new
    clock.advance(60 * MIN);
    await runner.runDue();
    clock.advance(14 * MIN);
    await runner.runDue(); // retry not yet due
    expect(runner.snapshot()['S0120001']).toMatchObject({ phase: 'retry-wait', attempts: 1, nextRunAt: at(75) });
    clock.advance(MIN);
    await runner.runDue();
    const messages = await read();
    expect(messages.map((m) => m.messageId)).toEqual([
      ids.programReceived,
      ids.programStarted,
      ids.programWillRetry,
      ids.programStarted,
      ids.programSucceeded,
    ]);
    expect(messages[2].insertionStrings).toEqual(['S0120001', 'S0100001', 'Install', '1603', '1', '2']);
    expect(messages[4]).toMatchObject({ insertionStrings: ['S0120001', 'S0100001', 'Install', '0'], sourceTime: at(75) });
  });

  it('reports a program it never ran as expired once, when the deployment leaves policy at expiry', async () => {
    const clock = manualClock(t0);
    const runner = createDeploymentRunner({ clock, timers: false, simulate: simulateFromSpec('never') });
    const { reporter, read } = spooled();
    const d = deployment();
    await runner({ siteCode: 'S01', deployments: [d] }, { reporter, deviceName: 'WKS-2' });
    expect(runner.snapshot()['S0120001'].phase).toBe('never');
    clock.set(new Date(d.expiresAt!));
    await runner({ siteCode: 'S01', deployments: [] }, { reporter, deviceName: 'WKS-2' });
    await runner({ siteCode: 'S01', deployments: [] }, { reporter, deviceName: 'WKS-2' });
    await runner({ siteCode: 'S01', deployments: [d] }, { reporter, deviceName: 'WKS-2' }); // offered again: already dealt with
    expect((await read()).map((m) => m.messageId)).toEqual([ids.programReceived, ids.programExpired]);
  });

  it('neither reports nor runs twice after a restart, with its state file', async () => {
    const stateFile = path.join(dir, 'agent', 'deployments.json');
    const { reporter, read } = spooled();
    const policy = { siteCode: 'S01', deployments: [deployment()] };
    await createDeploymentRunner({ clock: manualClock(t0), timers: false, stateFile, simulate: () => ({ exitCode: 0 }) })(policy, {
      reporter,
      deviceName: 'WKS-3',
    });
    await createDeploymentRunner({ clock: manualClock(t0), timers: false, stateFile, simulate: () => ({ exitCode: 0 }) })(policy, {
      reporter,
      deviceName: 'WKS-3',
    });
    expect((await read()).map((m) => m.messageId)).toEqual([ids.programReceived, ids.programStarted, ids.programSucceeded]);
  });

  it('retries at once a failure whose retry was timed by a clock far ahead, once the clock is put right', async () => {
    const stateFile = path.join(dir, 'clock-ahead', 'deployments.json');
    const { reporter, read } = spooled();
    const d = deployment({
      mandatoryAt: at(0),
      expiresAt: null,
      runConditions: { ...deployment().runConditions, retries: 1, retryIntervalMinutes: 15 },
    });
    const policy = { siteCode: 'S01', deployments: [d] };
    const outcomes: SimulatedRun[] = [{ exitCode: 1603 }, { exitCode: 0 }];
    const simulate = () => outcomes.shift()!;
    const ahead = manualClock(new Date(t0.getTime() + 400 * 24 * 60 * MIN));
    await createDeploymentRunner({ clock: ahead, timers: false, stateFile, simulate })(policy, { reporter, deviceName: 'WKS-5' });

    const putRight = manualClock(new Date(t0.getTime() + 60 * MIN));
    const restarted = createDeploymentRunner({ clock: putRight, timers: false, stateFile, simulate });
    await restarted(policy, { reporter, deviceName: 'WKS-5' });
    expect(restarted.snapshot()['S0120001']).toMatchObject({ phase: 'succeeded', attempts: 2 });
    expect((await read()).map((m) => m.messageId)).toEqual([
      ids.programReceived,
      ids.programStarted,
      ids.programWillRetry,
      ids.programStarted,
      ids.programSucceeded,
    ]);
  });

  it('reports again under the same uids what it reported before it was killed and had not saved, so the site keeps each once', async () => {
    const stateFile = path.join(dir, 'killed', 'deployments.json');
    const { reporter, read } = spooled();
    const policy = { siteCode: 'S01', deployments: [deployment(), deployment({ deploymentId: 'S0120002', availableAt: at(60) })] };
    // The process dies right after its first report is spooled, before the state file is written.
    let reports = 0;
    const dying = {
      async report(...args: Parameters<StatusReporter['report']>) {
        expect(args[1]).toEqual({ mayRepeat: true });
        await reporter.report(...args);
        if (++reports === 1) throw new Error('killed');
      },
    };
    const simulate = () => ({ exitCode: 0 });
    await expect(
      createDeploymentRunner({ clock: manualClock(t0), timers: false, stateFile, simulate })(policy, { reporter: dying, deviceName: 'WKS-6' }),
    ).rejects.toThrow('killed');
    await createDeploymentRunner({ clock: manualClock(t0), timers: false, stateFile, simulate })(policy, { reporter, deviceName: 'WKS-6' });

    const messages = await read();
    expect(messages.map((m) => m.messageId)).toEqual([
      ids.programReceived,
      ids.programReceived,
      ids.programReceived,
      ids.programStarted,
      ids.programSucceeded,
    ]);
    expect(messages[0].uid).toBe(messages[1].uid);
    expect(new Set(messages.map((m) => m.uid)).size).toBe(4);
  });

  it('says a torn state file is unreadable and still acts on the policy it was given', async () => {
    const stateFile = path.join(dir, 'torn', 'deployments.json');
    await mkdir(path.dirname(stateFile), { recursive: true });
    await writeFile(stateFile, '{"deployments":{"S01');
    const { reporter, read } = spooled();
    const warnings: object[] = [];
    const log = { warn: (obj: object) => void warnings.push(obj), info: () => undefined };
    const runner = createDeploymentRunner({ clock: manualClock(t0), timers: false, stateFile, log, simulate: () => ({ exitCode: 0 }) });
    await runner({ siteCode: 'S01', deployments: [deployment()] }, { reporter, deviceName: 'WKS-4' });
    expect(warnings).toEqual([expect.objectContaining({ file: stateFile })]);
    expect((await read()).map((m) => m.messageId)).toEqual([ids.programReceived, ids.programStarted, ids.programSucceeded]);
    expect(JSON.parse(await readFile(stateFile, 'utf8')).deployments.S0120001.phase).toBe('succeeded');
  });

  it('reports each program message with the severity and type the server catalog gives it', async () => {
    const clock = manualClock(t0);
    const outcomes: SimulatedRun[] = [{ exitCode: 1603 }, { exitCode: 1603 }];
    const runner = createDeploymentRunner({
      clock,
      timers: false,
      simulate: (d) => (d.deploymentId === 'S0120002' ? { never: true } : outcomes.shift()!),
    });
    const { reporter, read } = spooled();
    const failing = deployment({ mandatoryAt: at(0), runConditions: { ...deployment().runConditions, retries: 1, retryIntervalMinutes: 1 } });
    const unrun = deployment({ deploymentId: 'S0120002', expiresAt: at(10) });
    await runner({ siteCode: 'S01', deployments: [failing, unrun] }, { reporter, deviceName: 'WKS-1' });
    await runner.runDue();
    clock.advance(MIN);
    await runner.runDue();
    clock.advance(10 * MIN);
    await runner({ siteCode: 'S01', deployments: [failing] }, { reporter, deviceName: 'WKS-1' });
    await runner.runDue();

    const messages = await read();
    expect(new Set(messages.map((m) => m.messageId))).toEqual(
      new Set([ids.programReceived, ids.programStarted, ids.programWillRetry, ids.programFailed, ids.programExpired]),
    );
    for (const m of messages) {
      const entry = catalog.get(m.messageId)!;
      expect({ id: m.messageId, severity: m.severity, type: m.type }).toEqual({ id: m.messageId, severity: entry.severity, type: entry.type });
    }
  });

  it('reads outcome specs', () => {
    expect(simulateFromSpec('1603')(deployment(), 1)).toEqual({ exitCode: 1603 });
    expect(simulateFromSpec(undefined)(deployment(), 1)).toEqual({ exitCode: 0 });
    expect(simulateFromSpec('fail:0.5', () => 0.4)(deployment(), 1)).toEqual({ exitCode: 1 });
    expect(simulateFromSpec('fail:0.5', () => 0.6)(deployment(), 1)).toEqual({ exitCode: 0 });
    expect(() => simulateFromSpec('sometimes')).toThrow(/SITEBOX_AGENT_PROGRAM_OUTCOME/);
  });
});
