// A console socket for the live feed tests: the test's socket.io server listening on a free port,
// and a signed-in user's socket in its console namespace.
import type { AddressInfo } from 'node:net';
import type { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { Role } from '../../lib/auth/roles';
import { CONSOLE_NAMESPACE } from '../../lib/live/console-namespace';
import { signInAs } from './console-session';

/** Connects a user of `role` to the console namespace of `io` (listening on a free port first, if it is not). */
export async function connectConsoleSocket(io: Server, role: Role = 'READ_ONLY_ANALYST'): Promise<Socket> {
  if (!io.httpServer.listening) await new Promise<void>((resolve) => io.httpServer.listen(0, '127.0.0.1', resolve));
  const user = await signInAs(role);
  const socket = connect(`http://127.0.0.1:${(io.httpServer.address() as AddressInfo).port}${CONSOLE_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: user.headers.cookie },
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}
