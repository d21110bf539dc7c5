// A bare socket.io client on a management point's agent namespace, for tests that speak the
// agent protocol event by event instead of through ClientAgent.
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE } from '@/lib/notification/notification-server';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { admin, fleet } from './fleet';
import type { TestManagementPoint } from './management-point';

/** Sockets opened here, for the test file's afterAll to close. */
export const rawSockets: Socket[] = [];

/** Connects with `credential` ("Device <id>.<secret>"), no reconnection. */
export function rawAgentSocket(mp: TestManagementPoint, credential: string): Socket {
  const socket = connect(`${mp.url}${AGENT_NAMESPACE}`, { auth: { credential }, transports: ['websocket'], reconnection: false });
  rawSockets.push(socket);
  return socket;
}

/** Connects and resolves once the server holds the socket (it sends its settings then), so a push from now on reaches it. */
export async function heldAgentSocket(mp: TestManagementPoint, credential: string): Promise<Socket> {
  const socket = rawAgentSocket(mp, credential);
  await new Promise<void>((resolve, reject) => {
    socket.once(agentEvents.settings, () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** One new device's bare socket, held by the management point, and a Quick Scan started on it once its push has arrived. */
export async function quickScanPushedToOne(mp: TestManagementPoint, prefix: string) {
  const { credentials } = await fleet(prefix, 1);
  const [device] = credentials;
  const socket = await heldAgentSocket(mp, `Device ${device.deviceId}.${device.secret}`);
  const pushed = new Promise<{ operationId: number }>((resolve) => socket.once(agentEvents.push, resolve));
  const operation = await startClientOperation({
    actor: admin,
    settings: { operationValidityMinutes: 60 },
    input: { action: 'QUICK_SCAN', target: { deviceIds: [device.deviceId] } },
  });
  return { device, socket, operation, push: await pushed };
}
