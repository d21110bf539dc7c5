import { statusMessageIds } from '../reporting/catalog';
import type { ClientStatus } from './deployment.schema';

/** What a program status message says happened on the client. */
export type ProgramReportKind = 'received' | 'started' | 'succeeded' | 'failed' | 'retrying' | 'expired';

const kinds = new Map<number, ProgramReportKind>([
  [statusMessageIds.programReceived, 'received'],
  [statusMessageIds.programStarted, 'started'],
  [statusMessageIds.programSucceeded, 'succeeded'],
  [statusMessageIds.programSucceededMif, 'succeeded'],
  [statusMessageIds.programFailed, 'failed'],
  [statusMessageIds.programFailedMif, 'failed'],
  [statusMessageIds.programWillRetry, 'retrying'],
  [statusMessageIds.programExpired, 'expired'],
]);

/** The program status message IDs, for filtering a batch cheaply. */
export const programReportMessageIds: ReadonlySet<number> = new Set(kinds.keys());

export function programReportKind(messageId: number): ProgramReportKind | null {
  return kinds.get(messageId) ?? null;
}

const statusOf: Record<Exclude<ProgramReportKind, 'expired'>, ClientStatus> = {
  received: 'RECEIVED',
  started: 'RUNNING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  retrying: 'RETRYING',
};

// Two reports made at the same instant: the one further along wins.
const rank: Record<ClientStatus, number> = { NONE: 0, RECEIVED: 1, RUNNING: 2, RETRYING: 3, FAILED: 4, SUCCEEDED: 4 };

/** A client's status for one deployment, as stored. */
export interface ClientStatusState {
  status: ClientStatus;
  /** When the client made the report the status comes from. */
  lastReportAt: Date | null;
  /** When the management point received it. */
  receivedAt: Date | null;
  exitCode: number | null;
  lastMessageId: number | null;
  /** That report arrived after the deployment expired. */
  late: boolean;
}

export const noStatus: ClientStatusState = {
  status: 'NONE',
  lastReportAt: null,
  receivedAt: null,
  exitCode: null,
  lastMessageId: null,
  late: false,
};

/** One program status message, reduced to what status derivation needs. */
export interface ProgramReport {
  messageId: number;
  /** The client's time of the report. */
  sourceTime: Date;
  /** The management point's time of arrival. */
  receivedAt: Date;
  exitCode: number | null;
}

/**
 * Folds one program status message into a client's deployment status. Pure.
 *
 * - Received / started / succeeded / failed / will-retry set the status; the newest report (by
 *   the client's own time) wins, so a report delivered out of order never rolls the status back.
 * - "Expired before it ran" changes nothing: expiry must never erase what a client last reported
 *   (a client that never ran stays None, one that succeeded stays Succeeded).
 * - A report made or received at or after the deployment's expiration is late: it still counts
 *   (it is what the client did) but is marked late, never passed off as one from before expiry.
 */
export function applyProgramReport(options: { current: ClientStatusState; report: ProgramReport; expiresAt: Date | null }): {
  next: ClientStatusState;
  kind: ProgramReportKind | null;
  late: boolean;
  changed: boolean;
} {
  const { current, report, expiresAt } = options;
  const kind = programReportKind(report.messageId);
  const late = expiresAt !== null && (report.receivedAt.getTime() >= expiresAt.getTime() || report.sourceTime.getTime() >= expiresAt.getTime());
  if (kind === null || kind === 'expired') return { next: current, kind, late, changed: false };
  const status = statusOf[kind];
  if (current.lastReportAt) {
    const delta = report.sourceTime.getTime() - current.lastReportAt.getTime();
    if (delta < 0 || (delta === 0 && rank[status] < rank[current.status])) return { next: current, kind, late, changed: false };
  }
  const next: ClientStatusState = {
    status,
    lastReportAt: report.sourceTime,
    receivedAt: report.receivedAt,
    exitCode: kind === 'failed' || kind === 'succeeded' || kind === 'retrying' ? report.exitCode : null,
    lastMessageId: report.messageId,
    late,
  };
  return { next, kind, late, changed: true };
}

/** The exit code a program status message carries: the ExitCode property, else insertion string 4. */
export function reportedExitCode(message: { properties?: Record<string, string>; insertionStrings?: readonly string[] }): number | null {
  const raw = message.properties?.ExitCode ?? message.insertionStrings?.[3];
  if (raw === undefined || !/^-?\d{1,10}$/.test(raw.trim())) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) && Math.abs(value) <= 2_147_483_647 ? value : null;
}

/** The deployment a program status message is about: the AdvertisementID property, else insertion string 1. */
export function reportedDeploymentId(message: { properties?: Record<string, string>; insertionStrings?: readonly string[] }): string | null {
  const id = message.properties?.AdvertisementID ?? message.insertionStrings?.[0];
  return id && /^[A-Z0-9]{8}$/.test(id) ? id : null;
}
