import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import { updateScript } from './repo';
import { auditedScript, auditScript } from './script-audit';
import { scriptContentHash } from './script-content-hash';
import type { ScriptEdit } from './script.schema';

/**
 * Replaces a script; its approval is withdrawn and the editor becomes one of its authors. An edit
 * made from an older version than the current one (`baseUpdatedAt`) is refused (409).
 */
export function editScript(options: { actor: Actor; id: number; input: ScriptEdit }) {
  const { actor, id } = options;
  const { baseUpdatedAt, ...input } = options.input;
  return updateScript(
    {
      id,
      input,
      contentHash: scriptContentHash(input.body),
      editorId: actor.principal.userId,
      editorName: actor.principal.userName,
      check: (current) => {
        if (baseUpdatedAt && current.updatedAt !== baseUpdatedAt.toISOString())
          throw new AppError('CONFLICT', {
            userMessage: `${current.updatedBy} saved the script after you opened it; cancel, then edit it again to start from their version.`,
          });
      },
    },
    (client, before, after) =>
      auditScript(actor, client, {
        kind: 'modified',
        script: after,
        oldValue: { ...auditedScript(before), approvedBy: before.approval?.by ?? null },
        newValue: { ...auditedScript(after), approvedBy: null },
      }),
  );
}
