import { describe, expect, it } from 'vitest';
import { evaluationOrder, wouldCreateCycle } from '@/lib/collections/evaluation-order';

describe('evaluationOrder', () => {
  it('puts every collection after the ones it includes, excludes or is limited by', () => {
    const { order, cyclic } = evaluationOrder([
      { id: 3, dependsOn: [1, 2] },
      { id: 2, dependsOn: [1] },
      { id: 1, dependsOn: [] },
      { id: 4, dependsOn: [3] },
    ]);
    expect(cyclic).toEqual([]);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('leaves out collections in a cycle and those that depend on one', () => {
    const { order, cyclic } = evaluationOrder([
      { id: 1, dependsOn: [] },
      { id: 2, dependsOn: [3] },
      { id: 3, dependsOn: [2] },
      { id: 4, dependsOn: [2] },
    ]);
    expect(order).toEqual([1]);
    expect(cyclic.sort()).toEqual([2, 3, 4]);
  });

  it('ignores references to collections that no longer exist', () => {
    expect(evaluationOrder([{ id: 1, dependsOn: [99] }]).order).toEqual([1]);
  });
});

describe('wouldCreateCycle', () => {
  const graph = [
    { id: 1, dependsOn: [] },
    { id: 2, dependsOn: [1] },
    { id: 3, dependsOn: [2] },
  ];
  it('refuses an include that closes a loop', () => {
    expect(wouldCreateCycle(graph, 1, 3)).toBe(true);
    expect(wouldCreateCycle(graph, 1, 1)).toBe(true);
  });
  it('accepts one that does not', () => {
    expect(wouldCreateCycle(graph, 3, 1)).toBe(false);
    expect(wouldCreateCycle(graph, 5, 3)).toBe(false);
  });
});
