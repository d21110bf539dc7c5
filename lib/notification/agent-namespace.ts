import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { listen } from '../db/listen';
import { authenticateDevice } from '../devices/authenticate-device';
import { DEVICE_REVOKED_CHANNEL } from '../devices/set-device-approval';
import { AppError } from '../errors';

export const AGENT_NAMESPACE = '/agents';

/**
 * The client notification channel: agents connect with their device credential
 * (`auth: { credential: 'Device <id>.<secret>' }` or the Authorization header).
 * Unknown, unapproved and revoked devices are refused; revoking a device drops its
 * open connection on every management point process.
 */
export function attachAgentNamespace(options: { io: Server; log: Logger; connectionString: string }) {
  const nsp: Namespace = options.io.of(AGENT_NAMESPACE);
  const socketsByDevice = new Map<number, Set<Socket>>();

  nsp.use(async (socket, next) => {
    const credential =
      (typeof socket.handshake.auth?.credential === 'string' ? socket.handshake.auth.credential : undefined) ??
      socket.handshake.headers.authorization;
    try {
      const device = await authenticateDevice(credential);
      socket.data.deviceId = device.id;
      next();
    } catch (error) {
      if (!(error instanceof AppError)) options.log.error({ err: error }, 'agent authentication failed');
      next(new Error(error instanceof AppError ? error.code : 'INTERNAL'));
    }
  });

  nsp.on('connection', (socket) => {
    const id = socket.data.deviceId!;
    const set = socketsByDevice.get(id) ?? new Set();
    set.add(socket);
    socketsByDevice.set(id, set);
    socket.join(`device:${id}`);
    socket.on('disconnect', () => {
      set.delete(socket);
      if (!set.size) socketsByDevice.delete(id);
    });
  });

  const revocations = listen({
    connectionString: options.connectionString,
    channels: [DEVICE_REVOKED_CHANNEL],
    log: options.log,
    onNotification: (_channel, payload) => {
      const id = Number(payload);
      for (const socket of socketsByDevice.get(id) ?? []) {
        socket.emit('revoked');
        socket.disconnect(true);
      }
    },
  });

  return {
    namespace: nsp,
    connectedDeviceIds: () => [...socketsByDevice.keys()],
    close: () => revocations.close(),
  };
}
