// The targets a benchmark's figures are held to. A scenario prints its figures with the targets
// and the ones missed in its one JSON line, and bench/run.ts exits 1 when any was missed, so a
// figure that goes wrong fails the run instead of only reading worse.

/** A bound on one figure: `max` and `min` inclusive, `equals` exact. */
export type Target = { max: number } | { min: number } | { equals: number };

export type Figures = Record<string, number | string | boolean | null | number[] | Record<string, number>>;

/** What a scenario's default export resolves to when its figures are held to targets. */
export interface BenchOutcome {
  missed: string[];
}

const describe = (t: Target) => ('max' in t ? `<= ${t.max}` : 'min' in t ? `>= ${t.min}` : `= ${t.equals}`);

/** Why `value` misses `target`, or null when it meets it (a figure that is not a finite number misses every target). */
function miss(name: string, value: unknown, target: Target): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} is ${String(value)}, wanted ${describe(target)}`;
  const met = 'max' in target ? value <= target.max : 'min' in target ? value >= target.min : value === target.equals;
  return met ? null : `${name} ${value}, wanted ${describe(target)}`;
}

/**
 * Prints the scenario's final JSON line: its figures, the targets as text (`"ratio": ">= 0.2"`)
 * and `missed`, the targets not met (empty when all were).
 */
export function reportFigures(scenario: string, figures: Figures, targets: Record<string, Target>): BenchOutcome {
  const missed = Object.entries(targets).flatMap(([name, target]) => miss(name, figures[name], target) ?? []);
  const shown = Object.fromEntries(Object.entries(targets).map(([name, target]) => [name, describe(target)]));
  console.log(JSON.stringify({ scenario, ...figures, targets: shown, missed }));
  return { missed };
}
