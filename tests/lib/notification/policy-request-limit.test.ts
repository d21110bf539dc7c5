// Policy over the notification channel is held to the management point's per-device limit of
// client requests, as GET /api/mp/policy is: a client that floods policy requests gets
// RATE_LIMITED past it instead of having the server print and buffer one policy per request; so
// are action results, which could otherwise be sent (up to 4 MB each) without end.
import { io, type Socket } from 'socket.io-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { fleet } from './fleet';
import { TestManagementPoint } from './management-point';

const limiter = new RateLimiterMemory({ keyPrefix: 'test-client', points: 5, duration: 60 });
let mp: TestManagementPoint;
const sockets: Socket[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await seedDemoSite({ devices: 0 });
  mp = new TestManagementPoint({
    connectionString: url,
    consumeClientRequest: async (deviceId) => void (await limiter.consume(`device:${deviceId}`)),
  });
  await mp.start();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await mp?.stop();
});

async function connected(credential: { deviceId: number; secret: string }) {
  const socket = io(`${mp.url}/agents`, { auth: { credential: `Device ${credential.deviceId}.${credential.secret}` }, transports: ['websocket'] });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
  return socket;
}

describe('policy requests over the channel', () => {
  it('answer a flood up to the per-device limit and RATE_LIMITED past it, other devices unaffected', async () => {
    const { credentials } = await fleet('LIM-', 2);
    const flooding = await connected(credentials[0]);
    const answers = (await Promise.all(Array.from({ length: 8 }, () => flooding.timeout(10_000).emitWithAck(agentEvents.policyRequest, {})))) as (
      { policy: unknown } | { error: string }
    )[];
    expect(answers.filter((a) => 'policy' in a)).toHaveLength(5);
    expect(answers.filter((a) => 'error' in a)).toEqual(Array.from({ length: 3 }, () => ({ error: 'RATE_LIMITED' })));
    const other = await connected(credentials[1]);
    expect(await other.timeout(10_000).emitWithAck(agentEvents.policyRequest, {})).toHaveProperty('policy');
  });

  it('take action results up to the same limit and answer past it not stored, so the agent sends them again later', async () => {
    const { credentials } = await fleet('LIMR-', 1);
    const flooding = await connected(credentials[0]);
    const result = (operationId: number) => ({
      operationId,
      outcome: 'SUCCEEDED',
      detail: { message: 'x'.repeat(500), durationMs: 1 },
      completedAt: new Date().toISOString(),
    });
    const answers = (await Promise.all(
      Array.from({ length: 8 }, (_, i) => flooding.timeout(10_000).emitWithAck(agentEvents.result, result(900_000 + i))),
    )) as { stored: boolean; error?: string }[];
    expect(answers.filter((a) => a.error === 'RATE_LIMITED')).toEqual(Array.from({ length: 3 }, () => ({ stored: false, error: 'RATE_LIMITED' })));
    expect(answers.filter((a) => !a.error)).toHaveLength(5);
  });
});
