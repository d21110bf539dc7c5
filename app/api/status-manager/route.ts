import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { readStatusManagerState } from '@/lib/status/status-manager-state';

/** Status Manager's backlog and counters for the console (poll it; rates are differences). */
export const GET = route({ permission: 'readConsole' }, async () =>
  readStatusManagerState({ db: pool(), inboxLimit: config().SITEBOX_STATUS_INBOX_LIMIT }),
);
