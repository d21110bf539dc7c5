import type { Actor } from '../users/actor';
import { updateScript } from './repo';
import { auditedScript, auditScript } from './script-audit';
import { scriptContentHash } from './script-content-hash';
import type { ScriptInput } from './script.schema';

/** Replaces a script; its approval is withdrawn and the editor becomes one of its authors. */
export function editScript(options: { actor: Actor; id: number; input: ScriptInput }) {
  const { actor, id, input } = options;
  return updateScript(
    { id, input, contentHash: scriptContentHash(input.body), editorId: actor.principal.userId, editorName: actor.principal.userName },
    (client, before, after) =>
      auditScript(actor, client, {
        kind: 'modified',
        script: after,
        oldValue: { ...auditedScript(before), approvedBy: before.approval?.by ?? null },
        newValue: { ...auditedScript(after), approvedBy: null },
      }),
  );
}
