import type { Principal } from '../auth/roles';
import { canApproveScripts } from '../auth/roles';

/**
 * Why `principal` may not approve a script written by `authorIds` whose text hashes to
 * `currentHash` (null when they may): approval is its own permission, nobody approves text
 * they wrote, and the approver names the exact text they read.
 */
export function approvalRefusal(options: { principal: Principal; authorIds: number[]; currentHash: string; seenHash: string }): string | null {
  const { principal, authorIds, currentHash, seenHash } = options;
  if (!canApproveScripts(principal)) return 'Your security role does not allow approving scripts.';
  if (authorIds.includes(principal.userId)) return 'You wrote or edited this script; another user must approve it.';
  if (currentHash !== seenHash) return 'The script changed since you opened it; read the new text before approving.';
  return null;
}
