import { statfs } from 'node:fs/promises';
import { statusMessageIds } from '../reporting/catalog';
import { serverMessage } from '../reporting/report-server-message';
import type { StatusMessage } from '../reporting/status-message.schema';

export const SITE_SYSTEM_STATUS_SUMMARIZER = 'SMS_SITE_SYSTEM_STATUS_SUMMARIZER';

/**
 * This host's storage objects as the Site System Status Summarizer reports them (message 4700):
 * free and total bytes of each path's file system. A path that cannot be read is left out.
 */
export async function localStorageMessages(options: { paths: readonly string[]; systemName?: string; now?: Date }): Promise<StatusMessage[]> {
  const messages: StatusMessage[] = [];
  for (const path of [...new Set(options.paths)]) {
    let stats: Awaited<ReturnType<typeof statfs>>;
    try {
      stats = await statfs(path);
    } catch {
      continue;
    }
    const free = BigInt(stats.bavail) * BigInt(stats.bsize);
    const total = BigInt(stats.blocks) * BigInt(stats.bsize);
    const mb = (n: bigint) => (n / 1_048_576n).toString();
    const message = serverMessage({
      messageId: statusMessageIds.siteSystemStorageReported,
      component: SITE_SYSTEM_STATUS_SUMMARIZER,
      systemName: options.systemName,
      now: options.now,
      insertionStrings: [],
      properties: { StorageObject: path, FreeBytes: free.toString(), TotalBytes: total.toString() },
    });
    message.insertionStrings = [message.systemName, path, mb(free), mb(total)];
    messages.push(message);
  }
  return messages;
}
