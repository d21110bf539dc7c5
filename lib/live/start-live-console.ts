import type pg from 'pg';
import type { Logger } from 'pino';
import type { Namespace, Server } from 'socket.io';
import { attachClientOperationsFeed } from './client-operations-feed';
import { attachCollectionsFeed } from './collections-feed';
import { attachConsoleNamespace } from './console-namespace';
import { attachConsoleSessionCheck } from './console-session-check';
import { attachDeploymentFeed } from './deployments-feed';
import { attachSiteControlFeed } from './site-control-feed';
import { attachStatusMessageTail } from './status-message-tail';
import { attachStatusSummaryFeed } from './status-summaries-feed';

/**
 * The console's live channel in this process: the `/console` namespace and a feed per room,
 * all fed by the process's one LISTEN connection. A new live page adds a room and a feed here.
 */
export function startLiveConsole(options: { io: Server; db: pg.Pool; log: Logger }): { nsp: Namespace; close(): Promise<void> } {
  const nsp = attachConsoleNamespace({ io: options.io, log: options.log });
  const feeds = [
    attachConsoleSessionCheck({ nsp, log: options.log }),
    attachStatusMessageTail({ nsp, db: options.db, log: options.log }),
    attachStatusSummaryFeed({ nsp }),
    attachSiteControlFeed({ nsp, log: options.log }),
    attachDeploymentFeed({ nsp }),
    attachClientOperationsFeed({ nsp, db: options.db, log: options.log }),
    attachCollectionsFeed({ nsp }),
  ];
  return {
    nsp,
    async close() {
      await Promise.all(feeds.map((feed) => feed.close()));
    },
  };
}
