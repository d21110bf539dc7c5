import { config } from '../config';
import { ListenConnection, type Listening, type ListenOptions } from './listen';
import { componentLogger } from '../logger';
import { processSingleton } from '../process-singleton';
import type { Channel } from './channels';

/**
 * Subscribes to NOTIFY channels on the process's one LISTEN connection (per database: tests may
 * point a process at several): every feed, watcher and worker of a process shares it, and each
 * subscriber hears only its own channels. See ListenOptions for the catch-up callbacks.
 */
export function listenShared(options: ListenOptions & { channels: readonly Channel[]; connectionString?: string }): Listening {
  const connectionString = options.connectionString ?? config().databaseUrl;
  const connections = processSingleton('listenConnections', () => new Map<string, ListenConnection>());
  let connection = connections.get(connectionString);
  if (!connection) {
    connection = new ListenConnection({ connectionString, log: componentLogger('listen') });
    connections.set(connectionString, connection);
  }
  return connection.subscribe(options);
}
