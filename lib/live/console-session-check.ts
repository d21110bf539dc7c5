import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { liveSessionIds } from '../auth/sessions';

/** How often open console sockets have their sessions checked again. */
export const CONSOLE_SESSION_CHECK_MS = 5_000;

/**
 * A console socket is let in by its session once, at the handshake, and would otherwise hear its
 * rooms for as long as the page stays open. Every `intervalMs` this asks, in one query, which of
 * the open sockets' sessions still hold, and drops the sockets of those that ended: signed out,
 * expired or idle, or their user disabled or given another role (which ends the user's sessions).
 */
export function attachConsoleSessionCheck(options: { nsp: Namespace; log: Logger; intervalMs?: number }): { close(): Promise<void> } {
  const { nsp, log } = options;
  let checking = false;
  const check = async () => {
    const sockets = [...nsp.sockets.values()].filter((socket) => socket.data.session);
    if (checking || !sockets.length) return;
    checking = true;
    try {
      const live = await liveSessionIds({ ids: [...new Set(sockets.map((socket) => socket.data.session!.sessionId))] });
      for (const socket of sockets) if (!live.has(socket.data.session!.sessionId)) socket.disconnect(true);
    } catch (error) {
      log.warn({ err: error }, 'could not check the sessions of the open console sockets');
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? CONSOLE_SESSION_CHECK_MS);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}
