import type pg from 'pg';
import { reportAudit, type AuditEvent } from '../audit/report-audit';
import type { Actor } from '../users/actor';
import type { ScriptRow } from './script.schema';

/** What an audit message records of a script: everything but the approval bookkeeping. */
export const auditedScript = (s: ScriptRow) => ({
  name: s.name,
  description: s.description,
  body: s.body,
  parameters: s.parameters,
  timeoutSeconds: s.timeoutSeconds,
  contentHash: s.contentHash,
});

/** Audits a change to a script inside the change's transaction. */
export function auditScript(
  actor: Actor,
  client: pg.PoolClient,
  event: Pick<AuditEvent, 'kind' | 'verb' | 'oldValue' | 'newValue'> & { script: ScriptRow },
): Promise<void> {
  const { script, ...rest } = event;
  return reportAudit({ ...rest, userName: actor.principal.userName, address: actor.address, objectType: 'Script', objectName: script.name }, client);
}
