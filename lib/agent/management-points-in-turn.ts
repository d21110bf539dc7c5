/**
 * The management points in the order to try, starting from number `index` (wrapping round) and
 * then the rest in their order: a simulated fleet spreads its agents' preferences with it, and an
 * agent starts its requests at the management point it is connected to.
 */
export function managementPointsInTurn(urls: readonly string[], index: number): string[] {
  const first = index % urls.length;
  return [...urls.slice(first), ...urls.slice(0, first)];
}
