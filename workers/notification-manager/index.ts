import { expireClientOperations } from '../../lib/notification/expire-client-operations';
import { defineWorker, loop } from '../../lib/workers/define-worker';

/**
 * Notification Manager: writes the target rows of started client operations nobody has written
 * yet, records client operations past their validity as Expired, and purges old push requests.
 * (Starting, cancelling and pushing happen in the console and in each
 * management point's notification server.)
 */
export default defineWorker({
  name: 'notification-manager',
  description: 'Client operations: writes pending target rows; expires unreached targets after the validity; purges old push requests',
  async start({ log, signal }) {
    const running = loop({ intervalMs: 5_000, signal, log, tick: async () => void (await expireClientOperations({ log })) });
    return { stop: () => running.done };
  },
});
