import type pg from 'pg';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import type { StatusMessage } from '../reporting/status-message.schema';
import { readComponentStatus } from './read-component-status';
import { listSites } from './repo';
import type { Health } from './summarizer.schema';
import { thresholdCrossings } from './threshold-crossings';

const COMPONENT_STATUS_SUMMARIZER = 'SMS_COMPONENT_STATUS_SUMMARIZER';

/**
 * Reports components that reach a Warning or Critical threshold in their site's display
 * interval (4609, 4610), once per crossing. The first look only learns the current statuses, so
 * a restart does not report again what was already reported.
 */
export function createThresholdWatcher(options: { db: pg.Pool }) {
  let previous: Map<string, Map<number, Health>> | null = null;
  return {
    async tick(): Promise<StatusMessage[]> {
      const sites = await listSites(options.db);
      const learned = new Map<string, Map<number, Health>>();
      const messages: StatusMessage[] = [];
      for (const site of sites) {
        const view = await readComponentStatus({ query: { site: site.code }, db: options.db, withFindings: true });
        const { crossed, next } = thresholdCrossings(previous?.get(site.code) ?? new Map(), view.components);
        learned.set(site.code, next);
        if (!previous) continue;
        for (const { component, finding } of crossed) {
          messages.push(
            serverMessage({
              messageId: finding.health === 'CRITICAL' ? statusMessageIds.summarizerCriticalThreshold : statusMessageIds.summarizerWarningThreshold,
              component: COMPONENT_STATUS_SUMMARIZER,
              siteCode: site.code,
              insertionStrings: [
                component.component,
                component.systemName,
                String(finding.count),
                finding.messageId !== null ? `message ${finding.messageId}` : finding.severity.toLowerCase(),
                String(finding.threshold),
              ],
              properties: { SiteSystem: component.systemName, Component: component.component },
            }),
          );
        }
      }
      previous = learned;
      if (messages.length) await reportServerMessage({ messages, db: options.db });
      return messages;
    },
  };
}
