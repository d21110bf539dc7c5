import type { Actor } from '../users/actor';
import { deleteScript } from './repo';
import { auditedScript, auditScript } from './script-audit';

/** Deletes a script from the library; audited with its last text. */
export function removeScript(options: { actor: Actor; id: number }) {
  const { actor, id } = options;
  return deleteScript(id, (client, row) => auditScript(actor, client, { kind: 'deleted', script: row, oldValue: auditedScript(row) }));
}
