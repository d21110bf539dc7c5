// A simulator process spread over several management points: agent i prefers the i-th in turn and
// falls back to the others in their order, so one process's agents divide evenly among them.
import { describe, expect, it } from 'vitest';
import { managementPointsInTurn } from '@/lib/agent/management-points-in-turn';

describe('managementPointsInTurn', () => {
  const urls = ['http://mp1:3000', 'http://mp2:3000', 'http://mp3:3000'];

  it('gives each agent the next management point first and the rest in order', () => {
    expect(managementPointsInTurn(urls, 0)).toEqual(urls);
    expect(managementPointsInTurn(urls, 1)).toEqual(['http://mp2:3000', 'http://mp3:3000', 'http://mp1:3000']);
    expect(managementPointsInTurn(urls, 2)).toEqual(['http://mp3:3000', 'http://mp1:3000', 'http://mp2:3000']);
    expect(managementPointsInTurn(urls, 3)).toEqual(urls);
  });

  it('divides any number of agents evenly, an odd process share included', () => {
    const preferred = Array.from({ length: 8333 }, (_, i) => managementPointsInTurn(urls.slice(0, 2), i)[0]);
    expect(preferred.filter((u) => u === 'http://mp1:3000')).toHaveLength(4167);
    expect(preferred.filter((u) => u === 'http://mp2:3000')).toHaveLength(4166);
  });
});
