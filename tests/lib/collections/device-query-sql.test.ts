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
      conditions: [{ field: 'online', value: true }, { field: 'lastSeenWithinDays', value: 7 }],
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
