import { describe, expect, it } from 'vitest';
import { MAX_NESTING, parseLiveQuery } from '@/lib/live-query/query-language';

describe('parseLiveQuery', () => {
  it('reads an entity and its stages: where, project, summarize, order, take', () => {
    const { query, error } = parseLiveQuery(
      'processes | where cpu > 5 and (name startswith "post" or not user = \'root\') | project name, pid, cpu | order by cpu desc, name | take 10',
    );
    expect(error).toBeUndefined();
    expect(query!.entity).toMatchObject({ name: 'processes', argument: null });
    expect(query!.stages.map((s) => s.kind)).toEqual(['where', 'project', 'order', 'take']);
    expect(query!.stages[0]).toMatchObject({
      expression: {
        kind: 'and',
        left: { kind: 'compare', column: 'cpu', operator: '>', value: 5 },
        right: {
          kind: 'or',
          left: { kind: 'compare', column: 'name', operator: 'startswith', value: 'post' },
          right: { kind: 'not', operand: { kind: 'compare', column: 'user', operator: '=', value: 'root' } },
        },
      },
    });
    expect(query!.stages[2]).toMatchObject({
      keys: [
        { name: 'cpu', descending: true },
        { name: 'name', descending: false },
      ],
    });
    expect(query!.stages[3]).toMatchObject({ count: 10 });
  });

  it('reads summarize with several aggregates and keys, an entity argument, keywords in any case and lines', () => {
    const { query } = parseLiveQuery('processes\n| SUMMARIZE count(), max(cpu), sum(memoryMb) BY user\n| order by count desc');
    expect(query!.stages[0]).toMatchObject({
      kind: 'summarize',
      aggregates: [
        { fn: 'count', column: null, name: 'count' },
        { fn: 'max', column: 'cpu', name: 'max_cpu' },
        { fn: 'sum', column: 'memoryMb', name: 'sum_memoryMb' },
      ],
      by: [{ name: 'user', at: { line: 2, column: 49 } }],
    });
    expect(parseLiveQuery('file("/etc/host\\"name") | project exists').query!.entity).toMatchObject({ name: 'file', argument: '/etc/host"name' });
  });

  it('points at the position of what it cannot read', () => {
    expect(parseLiveQuery('processes | wher cpu > 5').error).toMatchObject({
      offset: 12,
      line: 1,
      column: 13,
      length: 4,
      message: expect.stringContaining('"wher"'),
    });
    expect(parseLiveQuery('processes | where cpu >').error).toMatchObject({ offset: 23, message: expect.stringMatching(/ends too early/) });
    expect(parseLiveQuery('processes | where cpu $ 5').error).toMatchObject({ offset: 22, message: 'Unexpected character "$"' });
    expect(parseLiveQuery('processes\n| take x').error).toMatchObject({ line: 2, column: 8, message: expect.stringContaining('a number') });
    expect(parseLiveQuery('').error).toMatchObject({ offset: 0 });
  });

  it('refuses "not" nested past MAX_NESTING with its place, so how deep a query may go does not depend on the caller\'s stack', () => {
    // The parser descends once per "not": a chain the 4,000 characters allow was read or refused
    // by how much stack the caller (the console, an agent's socket handler) had left.
    const chain = (n: number) => `processes | where ${'not '.repeat(n)}name = "a"`;
    expect(parseLiveQuery(chain(MAX_NESTING)).error).toBeUndefined();
    expect(parseLiveQuery(chain(990)).error).toEqual({
      message: `"not" nested deeper than ${MAX_NESTING} levels`,
      offset: 18 + 4 * MAX_NESTING,
      line: 1,
      column: 19 + 4 * MAX_NESTING,
      length: 3,
    });
    // Parentheses and "not" nest together: each "not (" is two levels.
    const half = MAX_NESTING / 2;
    const mixed = (n: number) => `processes | where ${'not ('.repeat(n)}name = "a"${')'.repeat(n)}`;
    expect(parseLiveQuery(mixed(half)).error).toBeUndefined();
    expect(parseLiveQuery(mixed(half + 1)).error).toMatchObject({ offset: 18 + 5 * half, message: `"not" nested deeper than ${MAX_NESTING} levels` });
    // Side by side they do not add up.
    expect(parseLiveQuery(`processes | where ${Array(40).fill('not name = "a"').join(' and ')}`).error).toBeUndefined();
  });

  it('says a string is not closed where it starts, rather than that its quote is unexpected', () => {
    for (const text of ['processes | where name = "post', "processes | where name = 'two\nlines'"])
      expect(parseLiveQuery(text).error).toMatchObject({
        offset: 25,
        line: 1,
        column: 26,
        message: 'The string starting here is not closed on its line',
      });
  });

  it('names a character outside the basic plane whole, not half of it', () => {
    expect(parseLiveQuery('processes | where name = 1 😀x').error).toMatchObject({ offset: 27, length: 2, message: 'Unexpected character "😀"' });
  });
});
