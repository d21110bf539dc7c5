import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import { approvalRefusal } from './approval-rules';
import { approveScript } from './repo';
import { auditScript } from './script-audit';

/**
 * Approves the exact text (named by its hash) of a script. Refused for the script's authors,
 * without the permission, or when the text (or, naming the version read, anything) changed since
 * the approver read it.
 */
export function approveScriptText(options: { actor: Actor; id: number; contentHash: string; baseUpdatedAt?: Date }) {
  const { actor, id, contentHash, baseUpdatedAt } = options;
  return approveScript(
    {
      id,
      approverId: actor.principal.userId,
      approverName: actor.principal.userName,
      check: (row) => {
        const refusal = approvalRefusal({
          principal: actor.principal,
          authorIds: row.authorIds,
          currentHash: row.contentHash,
          seenHash: contentHash,
        });
        if (refusal) {
          const stale = row.contentHash !== contentHash;
          throw new AppError(stale ? 'CONFLICT' : 'FORBIDDEN', {
            userMessage: refusal,
            details: stale ? { fields: [{ path: 'contentHash', message: 'is not the script’s current text' }] } : undefined,
          });
        }
        if (baseUpdatedAt && row.updatedAt !== baseUpdatedAt.toISOString())
          throw new AppError('CONFLICT', {
            userMessage: `${row.updatedBy} saved the script after you opened it; read it again before approving.`,
            details: { fields: [{ path: 'baseUpdatedAt', message: 'is not the script’s current version' }] },
          });
      },
    },
    (client, row) => auditScript(actor, client, { kind: 'performed', verb: 'Approve', script: row, newValue: { contentHash: row.contentHash } }),
  );
}
