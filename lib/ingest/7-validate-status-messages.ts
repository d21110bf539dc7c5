import { AppError } from '../errors';
import type { StatusBatch, RejectedMessage } from '../protocol/status-batch.schema';
import { parseStatusMessage } from '../protocol/parse-status-message';
import type { StatusMessage } from '../reporting/status-message.schema';
import { forgedIdentityReason, type StatusSender } from './4-authenticate-status-sender';

const VALIDATE_SLICE = 100;

/** A batch's messages sorted: the ones to keep (each uid once), the refused ones, the repeats. */
export interface ValidatedBatch {
  valid: StatusMessage[];
  rejected: RejectedMessage[];
  duplicates: number;
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): Omit<RejectedMessage, 'index'> {
  const issue = error.issues[0];
  return { field: issue?.path.map(String).join('.') || '(message)', reason: issue?.message ?? 'is not valid' };
}

/**
 * Checks each message of a batch on its own: its shape, and that a device reports only in its
 * own name. A batch that names another device than its credential is refused whole.
 */
export async function validateStatusMessages(options: { batch: StatusBatch; sender: StatusSender }): Promise<ValidatedBatch> {
  const { sender } = options;
  if (sender.kind === 'device' && options.batch.device !== undefined && options.batch.device.toLowerCase() !== sender.name.toLowerCase()) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The batch names another device than the credential it was sent with.',
      details: { fields: [{ path: 'device', message: `must be the sending device's own name (${sender.name})` }] },
    });
  }
  const valid: StatusMessage[] = [];
  const rejected: RejectedMessage[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const messages = options.batch.messages;
  for (let index = 0; index < messages.length; index++) {
    // Validation is the costly part of a batch; yield now and then so that other requests
    // served by the same thread get their turn in the middle of a flood.
    if (index > 0 && index % VALIDATE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const parsed = parseStatusMessage(messages[index]);
    if (!parsed.success) {
      rejected.push({ index, ...firstIssue(parsed.error) });
      continue;
    }
    const forged = forgedIdentityReason(sender, parsed.data);
    if (forged) {
      rejected.push({ index, ...forged });
      continue;
    }
    if (seen.has(parsed.data.uid)) {
      duplicates++;
      continue;
    }
    seen.add(parsed.data.uid);
    valid.push(parsed.data);
  }
  return { valid, rejected, duplicates };
}
