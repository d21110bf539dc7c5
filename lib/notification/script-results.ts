import { systemClock, type Clock } from '../clock';
import { csvField } from '../csv-field';
import { pool } from '../db/pool';
import { notFoundOrThrow } from '../errors';
import { displayedTargetState } from './operation-counts';
import { materializeOperationTargets } from './materialize-operation-targets';
import * as repo from './repo';
import type { TargetState } from './client-operation.schema';

async function operationWithTargets(id: number) {
  const operation = notFoundOrThrow(await repo.findOperation(pool(), id), 'The client operation');
  if (operation.targetsPending) await materializeOperationTargets({ db: pool(), operationIds: [id] });
  return operation;
}

/** A Run Script operation's results grouped by identical output, with how many devices gave each. */
export async function listScriptOutputGroups(id: number) {
  await operationWithTargets(id);
  return { groups: await repo.scriptOutputGroups(pool(), id) };
}

/** Every target's state, exit code and output as CSV (one row per device). */
export async function scriptResultsCsv(id: number, clock: Clock = systemClock): Promise<{ filename: string; body: string }> {
  const operation = await operationWithTargets(id);
  const now = clock.now();
  const lines = ['Device,State,Completed,Exit code,Timed out,Stdout,Stdout truncated,Stderr,Stderr truncated,Message'];
  for (const r of await repo.scriptResultRows(pool(), id)) {
    const s = r.result?.script;
    const state = displayedTargetState({ state: r.state as TargetState, validUntil: operation.validUntil, cancelledAt: operation.cancelledAt, now });
    lines.push(
      [
        r.deviceName,
        state,
        r.completedAt?.toISOString() ?? null,
        s?.exitCode ?? null,
        s ? String(s.timedOut) : null,
        s?.stdout ?? null,
        s ? String(s.stdoutTruncated) : null,
        s?.stderr ?? null,
        s ? String(s.stderrTruncated) : null,
        r.result?.message ?? null,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return { filename: `client-operation-${id}-results.csv`, body: `${lines.join('\r\n')}\r\n` };
}
