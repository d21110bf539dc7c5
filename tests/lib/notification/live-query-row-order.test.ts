import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import { liveQueryRowPage } from '@/lib/notification/live-query-results';
import { recordAnswers, recordAnswersNow, type PendingResult } from '@/lib/notification/record-answers';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet } from './fleet';

beforeAll(async () => {
  await useTestDatabase();
});

const answer = (operationId: number, deviceId: number, hostname: string): PendingResult => ({
  deviceId,
  receivedAt: new Date(),
  result: {
    operationId,
    outcome: 'SUCCEEDED',
    detail: { message: 'done', durationMs: 3, liveQuery: { rows: [{ hostname }, { hostname: `${hostname}-2` }], rowCount: 2, truncated: false } },
    completedAt: new Date().toISOString(),
  },
});

/** Whether some backend waits for an advisory lock (the second writer queued behind the first). */
async function aWriterWaits(): Promise<boolean> {
  const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
  return rows[0].n > 0;
}

describe('live query rows written by two management points at once', () => {
  it('are all read by a console that pages on while they commit in the other order', async () => {
    const { deviceIds } = await fleet('LQO-', 2);
    const [first, second] = deviceIds;
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'LIVE_QUERY', target: { deviceIds }, liveQuery: { query: 'os | project hostname' } },
    });

    await materializeOperationTargets({ db: pool(), operationIds: [operation.id] });

    // One management point has inserted its device's rows (taking the lower seqs) and not committed yet.
    const slow = await pool().connect();
    try {
      await slow.query('BEGIN');
      await recordAnswersNow(slow, { results: [answer(operation.id, first, 'first')] });

      // The other records its device's answer meanwhile.
      const fast = recordAnswers({ db: pool(), deliveries: [], results: [answer(operation.id, second, 'second')] });
      let fastDone = false;
      void fast.then(() => (fastDone = true));
      await eventually(
        async () => fastDone || (await aWriterWaits()),
        (settled) => settled,
      );

      // The console reads what is there, then the first management point commits, and the console
      // reads on after the last row it holds, as its page does on every answer.
      const seen = (await liveQueryRowPage(operation.id, { after: undefined, limit: 1000 })).rows;
      await slow.query('COMMIT');
      await fast;
      const after = seen.at(-1)?.seq;
      seen.push(...(await liveQueryRowPage(operation.id, { after, limit: 1000 })).rows);
      // Once the second writer has committed too, nothing more is to be had after the last row held.
      seen.push(...(await liveQueryRowPage(operation.id, { after: seen.at(-1)?.seq, limit: 1000 })).rows);

      expect(seen.map((r) => r.row.hostname).sort()).toEqual(['first', 'first-2', 'second', 'second-2']);
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
    }
  });
});
