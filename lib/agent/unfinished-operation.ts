import type { OperationResult } from '../protocol/agent-protocol.schema';
import type { UnfinishedOperation } from './result-spool';

/**
 * What a start does with an action an earlier run took on and did not finish (the agent was
 * stopped, restarted or killed while it ran): the site holds its target as Delivered and will not
 * push it again, so the agent itself either runs it again or says why it will not.
 * A script is never run twice: it may have done part of its work. Every other action only reads
 * the machine or asks the site for something, so running it again gives the true answer.
 */
export function resumeUnfinished({ push, receivedAt }: UnfinishedOperation, now: Date): { run: true } | { run: false; result: OperationResult } {
  const failed = (message: string): { run: false; result: OperationResult } => ({
    run: false,
    result: {
      operationId: push.operationId,
      outcome: 'FAILED',
      detail: { message, durationMs: Math.min(Math.max(0, now.getTime() - receivedAt), 24 * 3600 * 1000) },
      completedAt: now.toISOString(),
    },
  });
  if (Date.parse(push.validUntil) <= now.getTime())
    return failed('The client stopped before the action finished, and the operation had ended by the time it started again.');
  if (push.action === 'RUN_SCRIPT')
    return failed(
      'The client stopped while the script ran (a restart, a crash or a power loss); a script is not run twice. Check the computer for what it did.',
    );
  return { run: true };
}
