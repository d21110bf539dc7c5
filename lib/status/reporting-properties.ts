import type { MessageActions } from './evaluate-rules';
import type { Severity, StatusMessage } from '../reporting/status-message.schema';

/** Where one kind of component's messages go (site setting "Status Reporting"). */
export interface ComponentReporting {
  reportToDatabase: boolean;
  databaseMinimumSeverity: Severity;
  reportToEventLog: boolean;
  eventLogMinimumSeverity: Severity;
}

/** The site's status reporting properties (site setting "Status Reporting"), as Status Manager is given them. */
export interface ReportingProperties {
  serverComponents: ComponentReporting;
  clientComponents: ComponentReporting;
}

const rank: Record<Severity, number> = { INFORMATIONAL: 0, WARNING: 1, ERROR: 2 };

/**
 * What the reporting properties of the message's kind of component (server or client) add to
 * the filter rules' decision: a message its component does not report to the database (off, or
 * below the minimum severity) is not written, whatever a rule says; one it reports to the event
 * log goes there too. Audit messages and the provider's are the site's record and always kept
 * as the rules say. Pure.
 */
export function applyReportingProperties(
  message: Pick<StatusMessage, 'source' | 'type' | 'severity'>,
  actions: MessageActions,
  reporting: ReportingProperties,
): MessageActions {
  if (message.type === 'AUDIT' || message.source === 'PROVIDER') return actions;
  const properties = message.source === 'CLIENT' ? reporting.clientComponents : reporting.serverComponents;
  const toDatabase = properties.reportToDatabase && rank[message.severity] >= rank[properties.databaseMinimumSeverity];
  const toEventLog = properties.reportToEventLog && rank[message.severity] >= rank[properties.eventLogMinimumSeverity];
  return {
    ...actions,
    writeToDatabase: actions.writeToDatabase && toDatabase,
    retentionDays: actions.writeToDatabase && toDatabase ? actions.retentionDays : null,
    reportToEventLog: actions.reportToEventLog || toEventLog,
  };
}
