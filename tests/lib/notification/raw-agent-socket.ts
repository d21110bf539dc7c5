// A bare socket.io client on a management point's agent namespace, for tests that speak the
// agent protocol event by event instead of through ClientAgent.
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE } from '@/lib/notification/notification-server';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
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
