import type { ThresholdFinding } from './evaluate-thresholds';
import type { Health } from './summarizer.schema';

const rank: Record<Health, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export interface JudgedComponent {
  id: number;
  systemName: string;
  component: string;
  health: Health;
  findings?: ThresholdFinding[];
}

/**
 * Components whose status got worse since the last look, each with the threshold it reached
 * (the worst finding): what the summarizer reports as 4609 (Warning) or 4610 (Critical). A
 * component that improves is remembered at its new status, so crossing again reports again.
 */
export function thresholdCrossings(previous: ReadonlyMap<number, Health>, components: readonly JudgedComponent[]) {
  const crossed: { component: JudgedComponent; finding: ThresholdFinding }[] = [];
  const next = new Map<number, Health>();
  for (const c of components) {
    next.set(c.id, c.health);
    if (rank[c.health] <= rank[previous.get(c.id) ?? 'OK']) continue;
    const finding = c.findings?.find((f) => f.health === c.health);
    if (finding) crossed.push({ component: c, finding });
  }
  return { crossed, next };
}
