// Simulator processes sharing one host hold their agents' push work until told every process has
// read the push (or at most two seconds): the benchmark harness opens the gate, not the agents.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentSimulator } from '@/lib/agent/simulator';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, onlineCount, targetStates } from '../notification/fleet';
import { TestManagementPoint } from '../notification/management-point';

let mp: TestManagementPoint;
const simulators: AgentSimulator[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
});

afterEach(async () => {
  await Promise.all(simulators.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await mp?.stop();
});

async function gatedFleet(prefix: string) {
  const { credentials, deviceIds } = await fleet(prefix, 3);
  let quiet = 0;
  const simulator = new AgentSimulator({
    managementPointUrls: [mp.url],
    credentials,
    scan: { quickScanMs: 20, fullScanMs: 50 },
    onPushBurstQuiet: () => quiet++,
  });
  simulators.push(simulator);
  let received = 0;
  for (const agent of simulator.agents) agent.on('push', () => received++);
  await simulator.start();
  await simulator.waitConnected();
  await eventually(
    () => onlineCount(deviceIds),
    (n) => n === 3,
  );
  const operation = await startClientOperation({
    actor: admin,
    settings: { operationValidityMinutes: 60 },
    input: { action: 'QUICK_SCAN', target: { deviceIds } },
  });
  await eventually(
    async () => received,
    (n) => n === 3,
  );
  await eventually(
    async () => quiet,
    (n) => n === 1,
  );
  return { simulator, operation };
}

describe('the simulator’s push gate', () => {
  it('holds the agents’ work once their burst is quiet, until it is released', async () => {
    const { simulator, operation } = await gatedFleet('GATE-');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Nothing acknowledged or answered: the management point has written no target row.
    expect(await targetStates(operation.id)).toEqual({});
    simulator.releasePushWork();
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 3,
      5_000,
    );
  });

  it('lets the work go after at most two seconds when nobody releases it', async () => {
    const { operation } = await gatedFleet('GATEX-');
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 3,
      5_000,
    );
  });
});
