import { plural } from '../plural';
import type { Severity } from '../reporting/status-message.schema';
import type { Health } from './summarizer.schema';

/** A summarizer_threshold row of the Component Status Summarizer. */
export interface ComponentThreshold {
  id?: number;
  siteCode: string | null;
  component: string | null;
  messageId: number | null;
  severity: Severity;
  warningAt: number;
  criticalAt: number;
}

export interface SeverityCounts {
  INFORMATIONAL: number;
  WARNING: number;
  ERROR: number;
}

export const severities: readonly Severity[] = ['INFORMATIONAL', 'WARNING', 'ERROR'];
const rank: Record<Health, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export function worstHealth(values: Iterable<Health>): Health {
  let worst: Health = 'OK';
  for (const v of values) if (rank[v] > rank[worst]) worst = v;
  return worst;
}

/** A count against one threshold: Critical from criticalAt, Warning from warningAt (both inclusive). */
export function healthOfCount(count: number, threshold: { warningAt: number; criticalAt: number }): Health {
  if (count >= threshold.criticalAt) return 'CRITICAL';
  if (count >= threshold.warningAt) return 'WARNING';
  return 'OK';
}

// More specific wins: this site and this component, then any site's component, then this site, then everywhere.
function specificity(t: ComponentThreshold): number {
  return (t.component !== null ? 2 : 0) + (t.siteCode !== null ? 1 : 0);
}

function applies(t: ComponentThreshold, siteCode: string, component: string): boolean {
  return (t.siteCode === null || t.siteCode === siteCode) && (t.component === null || t.component === component);
}

/**
 * The thresholds that judge one component: per severity, and per (message ID, severity) for
 * message-ID overrides — each the most specific row that applies.
 */
export function thresholdsForComponent(options: { thresholds: readonly ComponentThreshold[]; siteCode: string; component: string }) {
  const bySeverity = new Map<Severity, ComponentThreshold>();
  const byMessage = new Map<string, ComponentThreshold>();
  for (const t of options.thresholds) {
    if (!applies(t, options.siteCode, options.component)) continue;
    if (t.messageId === null) {
      const current = bySeverity.get(t.severity);
      if (!current || specificity(t) > specificity(current)) bySeverity.set(t.severity, t);
    } else {
      const key = `${t.messageId}:${t.severity}`;
      const current = byMessage.get(key);
      if (!current || specificity(t) > specificity(current)) byMessage.set(key, t);
    }
  }
  return { bySeverity, byMessage: [...byMessage.values()] };
}

export interface ComponentHealthInput {
  siteCode: string;
  component: string;
  /** Counts within the display interval. */
  counts: SeverityCounts;
  /** Counts of the message IDs that have overrides, within the same interval. */
  messageCounts: readonly { messageId: number; severity: Severity; count: number }[];
  thresholds: readonly ComponentThreshold[];
}

/** A count that reached a threshold. */
export interface ThresholdFinding {
  health: Exclude<Health, 'OK'>;
  severity: Severity;
  /** Set when a message-ID override was reached. */
  messageId: number | null;
  count: number;
  /** The threshold reached (warningAt or criticalAt). */
  threshold: number;
}

const describeFinding = (f: ThresholdFinding) =>
  f.messageId !== null ? `${f.count} × message ${f.messageId} (${f.severity.toLowerCase()})` : plural(f.count, `${f.severity.toLowerCase()} message`);

/**
 * A component's status: messages of an overridden message ID are judged by that override
 * alone; the rest of each severity by the severity's threshold; the worst result wins. No
 * threshold for a severity means that severity never changes the status.
 */
export function evaluateComponentHealth(input: ComponentHealthInput): { health: Health; reasons: string[]; findings: ThresholdFinding[] } {
  const { bySeverity, byMessage } = thresholdsForComponent(input);
  const remaining: SeverityCounts = { ...input.counts };
  const findings: ThresholdFinding[] = [];
  const judge = (count: number, t: ComponentThreshold, messageId: number | null) => {
    const health = healthOfCount(count, t);
    if (health !== 'OK')
      findings.push({ health, severity: t.severity, messageId, count, threshold: health === 'CRITICAL' ? t.criticalAt : t.warningAt });
  };
  for (const t of byMessage) {
    const count = input.messageCounts.find((m) => m.messageId === t.messageId && m.severity === t.severity)?.count ?? 0;
    remaining[t.severity] = Math.max(0, remaining[t.severity] - count);
    judge(count, t, t.messageId);
  }
  for (const severity of severities) {
    const t = bySeverity.get(severity);
    if (t) judge(remaining[severity], t, null);
  }
  return { health: worstHealth(findings.map((f) => f.health)), reasons: findings.map(describeFinding), findings };
}

/** Free space against the site's storage thresholds (MB), both inclusive. */
export function storageHealth(freeBytes: number, thresholds: { freeSpaceWarningMb: number; freeSpaceCriticalMb: number }): Health {
  const freeMb = freeBytes / 1_048_576;
  if (freeMb <= thresholds.freeSpaceCriticalMb) return 'CRITICAL';
  if (freeMb <= thresholds.freeSpaceWarningMb) return 'WARNING';
  return 'OK';
}

/**
 * Whether a site system reported recently enough: silent for more than two polling intervals
 * is Critical, for more than one is Warning. Never reported is Warning (just installed).
 */
export function reportingHealth(lastReportedAt: Date | null, now: Date, pollingMinutes: number): Health {
  if (!lastReportedAt) return 'WARNING';
  const silentMs = now.getTime() - lastReportedAt.getTime();
  const interval = pollingMinutes * 60_000;
  if (silentMs > 2 * interval) return 'CRITICAL';
  if (silentMs > interval) return 'WARNING';
  return 'OK';
}

export type SiteColour = 'green' | 'yellow' | 'red';

/** One colour per site: red when anything is Critical, yellow when anything is Warning. */
export function siteColour(parts: { components: Iterable<Health>; siteSystems: Iterable<Health> }): SiteColour {
  const worst = worstHealth([worstHealth(parts.components), worstHealth(parts.siteSystems)]);
  return worst === 'CRITICAL' ? 'red' : worst === 'WARNING' ? 'yellow' : 'green';
}
