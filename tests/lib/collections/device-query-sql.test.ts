import { describe, expect, it } from 'vitest';
import { queryRuleSchema } from '@/lib/collections/collection-rule.schema';
import { deviceQuerySql, wildcardToLike } from '@/lib/collections/device-query-sql';

describe('deviceQuerySql', () => {
  it('joins conditions with AND for "all" and numbers parameters from firstParam', () => {
    const rule = queryRuleSchema.parse({
      conditions: [
        { field: 'osKind', value: 'SERVER' },
        { field: 'name', pattern: 'NYC-*' },
      ],
    });
    const { sql, params } = deviceQuerySql({ rule, firstParam: 3 });
    expect(sql).toBe(`(d.os_kind = $3::os_kind AND d.name ILIKE $4 ESCAPE '\\')`);
    expect(params).toEqual(['SERVER', 'NYC-%']);
  });

  it('uses OR for "any"', () => {
    const rule = queryRuleSchema.parse({
      match: 'any',
      conditions: [
        { field: 'online', value: true },
        { field: 'lastSeenWithinDays', value: 7 },
      ],
    });
    expect(deviceQuerySql({ rule, firstParam: 1 }).sql).toContain(' OR ');
  });

  it('never puts a value into the SQL text', () => {
    const evil = "x'; DROP TABLE device; --";
    const rule = queryRuleSchema.parse({ conditions: [{ field: 'osName', op: 'contains', value: evil }] });
    const { sql, params } = deviceQuerySql({ rule, firstParam: 1 });
    expect(sql).not.toContain('DROP');
    expect(params).toEqual([`%${evil}%`]);
  });
});

describe('wildcardToLike', () => {
  it('maps * and ? and escapes LIKE metacharacters', () => {
    expect(wildcardToLike('LON-??-*')).toBe('LON-__-%');
    expect(wildcardToLike('100%_done')).toBe('100\\%\\_done');
  });
});

describe('queryRuleSchema', () => {
  it('rejects a malformed subnet with a reason', () => {
    const result = queryRuleSchema.safeParse({ conditions: [{ field: 'ipSubnet', value: '10.0.0.300/8' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/octets|subnet/);
  });
  it('rejects an unknown field', () => {
    expect(queryRuleSchema.safeParse({ conditions: [{ field: 'colour', value: 'red' }] }).success).toBe(false);
  });
});

describe('describeRule', () => {
  it('reads as a sentence for each kind of rule', async () => {
    const { describeRule } = await import('@/lib/collections/describe-rule');
    const query = (conditions: unknown[], match = 'all') => ({
      kind: 'QUERY' as const,
      query: { match, conditions },
      deviceName: null,
      referencedCollectionName: null,
    });
    expect(describeRule(query([{ field: 'osKind', value: 'SERVER' }]))).toBe('Query: servers');
    expect(
      describeRule(
        query([
          { field: 'ipSubnet', value: '10.1.0.0/16' },
          { field: 'lastSeenWithinDays', value: 7 },
        ]),
      ),
    ).toBe('Query: IP address in 10.1.0.0/16 and seen in the last 7 days');
    expect(
      describeRule(
        query(
          [
            { field: 'online', value: true },
            { field: 'name', pattern: 'LON-*' },
          ],
          'any',
        ),
      ),
    ).toBe('Query: online or name matches LON-*');
    expect(describeRule({ kind: 'INCLUDE', query: null, deviceName: null, referencedCollectionName: 'All Servers' })).toBe(
      'Include collection: All Servers',
    );
    expect(describeRule(query([{ field: 'colour', value: 'red' }]))).toBe('Query: (not valid; selects no devices)');
  });
});
