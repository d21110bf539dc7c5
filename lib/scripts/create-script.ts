import type { Actor } from '../users/actor';
import { insertScript } from './repo';
import { auditedScript, auditScript } from './script-audit';
import { scriptContentHash } from './script-content-hash';
import type { ScriptInput } from './script.schema';

/** A new script, awaiting another user's approval; audited in the same transaction. */
export function createScript(options: { actor: Actor; input: ScriptInput }) {
  const { actor, input } = options;
  return insertScript(
    { input, contentHash: scriptContentHash(input.body), authorId: actor.principal.userId, authorName: actor.principal.userName },
    (client, row) => auditScript(actor, client, { kind: 'created', script: row, newValue: auditedScript(row) }),
  );
}
