import { describe, expect, it } from 'vitest';
import { queryRuleSchema } from '@/lib/collections/collection-rule.schema';
import { deviceQuerySql, wildcardToLike, type ResolvedQueryRule } from '@/lib/collections/device-query-sql';
import { resolveQueryRule, type RuleLookups } from '@/lib/collections/resolve-query-rule';

/** The products and OS versions a fleet reports, without a database. */
function lookups(products: { id: number; name: string; version: string; source?: string }[], osVersions: string[] = []): RuleLookups {
  return {
    productsNamed: async (name) =>
      products.filter((p) => p.name.toLowerCase() === name.toLowerCase()).map((p) => ({ id: p.id, version: p.version, source: p.source ?? 'dpkg' })),
    osVersions: async () => osVersions,
  };
}
const resolve = (input: unknown, l = lookups([])): Promise<ResolvedQueryRule> => resolveQueryRule(queryRuleSchema.parse(input), l);

describe('deviceQuerySql', () => {
  it('joins conditions with AND for "all" and numbers parameters from firstParam', async () => {
    const rule = await resolve({
      conditions: [
        { field: 'osKind', value: 'SERVER' },
        { field: 'name', pattern: 'NYC-*' },
      ],
    });
    const { sql, params } = deviceQuerySql({ rule, firstParam: 3 });
    expect(sql).toBe(`(d.os_kind = $3::os_kind AND d.name ILIKE $4 ESCAPE '\\')`);
    expect(params).toEqual(['SERVER', 'NYC-%']);
  });

  it('uses OR for "any"', async () => {
    const rule = await resolve({
      match: 'any',
      conditions: [
        { field: 'online', value: true },
        { field: 'lastSeenWithinDays', value: 7 },
      ],
    });
    expect(deviceQuerySql({ rule, firstParam: 1 }).sql).toContain(' OR ');
  });

  it('never puts a value into the SQL text', async () => {
    const evil = "x'; DROP TABLE device; --";
    const rule = await resolve({
      conditions: [
        { field: 'osName', op: 'contains', value: evil },
        { field: 'model', op: 'equals', value: evil },
        { field: 'osVersion', op: 'startsWith', value: evil },
      ],
    });
    const { sql, params } = deviceQuerySql({ rule, firstParam: 1 });
    expect(sql).not.toContain('DROP');
    expect(params).toEqual([`%${evil}%`, evil, `${evil}%`]);
  });

  it('writes inventory conditions over the device columns and device_software', async () => {
    const rule = await resolve(
      {
        conditions: [
          { field: 'memoryMb', op: '>=', value: 8192 },
          { field: 'diskFreeMb', op: '<=', value: 1024 },
          { field: 'manufacturer', op: 'contains', value: 'de_l' },
          { field: 'software', name: 'openssl' },
          { field: 'notSoftware', name: 'telnet' },
          { field: 'clientActivity', value: 'inactive', days: 14 },
        ],
      },
      lookups([
        { id: 7, name: 'openssl', version: '3.0.11-1' },
        { id: 9, name: 'telnet', version: '0.17-44' },
      ]),
    );
    const { sql, params } = deviceQuerySql({ rule, firstParam: 1 });
    expect(sql).toBe(
      '(d.memory_mb >= $1::int AND d.disk_free_mb <= $2::int AND ' +
        `d.manufacturer ILIKE $3 ESCAPE '\\' AND ` +
        'd.id IN (SELECT ds.device_id FROM device_software ds WHERE ds.product_id = ANY($4::int[])) AND ' +
        'NOT EXISTS (SELECT 1 FROM device_software ds WHERE ds.device_id = d.id AND ds.product_id = ANY($5::int[])) AND ' +
        'NOT coalesce(greatest(d.last_policy_request_at, d.last_heartbeat_at, d.last_hw_inventory_at) > now() - make_interval(days => $6), false))',
    );
    expect(params).toEqual([8192, 1024, '%de\\_l%', [7], [9], 14]);
  });

  it('writes several software conditions of one kind as one clause over device_software, however many there are', async () => {
    const fleet = lookups([
      { id: 1, name: 'openssl', version: '3.0.11-1' },
      { id: 2, name: 'openssl', version: '3.0.13-1' },
      { id: 3, name: 'curl', version: '7.88.1-10' },
      { id: 4, name: 'telnet', version: '0.17-44' },
      { id: 5, name: 'ftp', version: '0.17-34' },
    ]);
    const conditions = [
      { field: 'software', name: 'openssl' },
      { field: 'osKind', value: 'SERVER' },
      { field: 'software', name: 'curl' },
      { field: 'notSoftware', name: 'telnet' },
      { field: 'software', name: 'openssl', version: { op: '>=', value: '3.0.13' } },
      { field: 'notSoftware', name: 'ftp' },
    ];
    const all = deviceQuerySql({ rule: await resolve({ match: 'all', conditions }, fleet), firstParam: 1 });
    expect(all.sql).toBe(
      '(d.id IN (SELECT ds.device_id FROM device_software ds' +
        ' JOIN unnest($1::int[], $2::int[]) AS m(product_id, condition_index) ON m.product_id = ds.product_id' +
        ' GROUP BY ds.device_id HAVING count(DISTINCT m.condition_index) = $3::int) AND ' +
        'd.os_kind = $4::os_kind AND ' +
        'NOT EXISTS (SELECT 1 FROM device_software ds WHERE ds.device_id = d.id AND ds.product_id = ANY($5::int[])))',
    );
    // Each (product, condition) pair: openssl 3.0.13 counts for the first condition and the third.
    expect(all.params).toEqual([[1, 2, 3, 2], [0, 0, 1, 2], 3, 'SERVER', [4, 5]]);

    const any = deviceQuerySql({ rule: await resolve({ match: 'any', conditions }, fleet), firstParam: 1 });
    expect(any.sql).toBe(
      '(d.id IN (SELECT ds.device_id FROM device_software ds WHERE ds.product_id = ANY($1::int[])) OR ' +
        'd.os_kind = $2::os_kind OR ' +
        'NOT EXISTS (SELECT 1 FROM (SELECT ds.device_id FROM device_software ds' +
        ' JOIN unnest($3::int[], $4::int[]) AS m(product_id, condition_index) ON m.product_id = ds.product_id' +
        ' GROUP BY ds.device_id HAVING count(DISTINCT m.condition_index) = $5::int) w WHERE w.device_id = d.id))',
    );
    expect(any.params).toEqual([[1, 2, 3], 'SERVER', [4, 5], [0, 1], 2]);

    // 50 conditions, the most a rule holds: still one subquery, not a 51-way join.
    const fifty = Array.from({ length: 50 }, (_, i) => ({ field: 'software', name: i % 2 ? 'curl' : 'openssl' }));
    for (const match of ['all', 'any']) {
      const { sql } = deviceQuerySql({ rule: await resolve({ match, conditions: fifty }, fleet), firstParam: 1 });
      expect(sql.match(/device_software/g)).toHaveLength(1);
    }
  });
});

describe('resolveQueryRule', () => {
  const fleet = lookups([
    { id: 1, name: 'openssl', version: '3.0.11-1~deb12u2' },
    { id: 2, name: 'openssl', version: '3.0.11-1' },
    { id: 3, name: 'openssl', version: '3.0.13-1~deb12u1' },
    { id: 4, name: 'OpenSSL', version: '1:1.1.1k-12.el8', source: 'rpm' },
    { id: 5, name: 'openssl', version: '3.0.7-27.el9', source: 'rpm' },
    { id: 6, name: 'curl', version: '7.88.1-10+deb12u5' },
  ]);
  const ids = async (version?: { op: string; value: string }, field = 'software') => {
    const rule = await resolve({ conditions: [{ field, name: 'openssl', version }] }, fleet);
    const c = rule.conditions[0];
    return c.field === 'software' || c.field === 'notSoftware' ? c.productIds : null;
  };

  it('turns "has package" into the ids of every version and architecture of that name, ignoring case', async () => {
    expect(await ids()).toEqual([1, 2, 3, 4, 5]);
  });

  it("compares versions by each product's package manager", async () => {
    expect(await ids({ op: '<', value: '3.0.11-1' })).toEqual([1, 5]);
    expect(await ids({ op: '<=', value: '3.0.11-1' })).toEqual([1, 2, 5]);
    expect(await ids({ op: '=', value: '3.0.11-1' })).toEqual([2]);
    // rpm: the epoch outranks the version; no release on one side compares versions only.
    expect(await ids({ op: '>=', value: '3.0.7' })).toEqual([1, 2, 3, 4, 5]);
    // A Debian revision, even 1~deb12u2, is later than none.
    expect(await ids({ op: '>', value: '3.0.11' })).toEqual([1, 2, 3, 4]);
    expect(await ids({ op: '<', value: '1' })).toEqual([]);
  });

  it('resolves "does not have package" the same way', async () => {
    expect(await ids({ op: '<', value: '3.0.13' }, 'notSoftware')).toEqual([1, 2, 5]);
  });

  it('turns an OS version comparison into the reported versions that satisfy it, and leaves text ops to SQL', async () => {
    const versions = lookups([], ['12', '11', '22.04', '22.04.3 LTS', '9.3', '24.04']);
    const matching = async (op: string) => {
      const c = (await resolve({ conditions: [{ field: 'osVersion', op, value: '22.04' }] }, versions)).conditions[0];
      return c.field === 'osVersion' ? c.matchingVersions : undefined;
    };
    expect(await matching('<')).toEqual(['12', '11', '9.3']);
    expect(await matching('>=')).toEqual(['22.04', '22.04.3 LTS', '24.04']);
    expect(await matching('>')).toEqual(['22.04.3 LTS', '24.04']);
    expect(await matching('equals')).toBeNull();
    expect(
      deviceQuerySql({ rule: await resolve({ conditions: [{ field: 'osVersion', op: '<', value: '22.04' }] }, versions), firstParam: 1 }),
    ).toEqual({
      sql: '(d.os_version = ANY($1::text[]))',
      params: [['12', '11', '9.3']],
    });
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

  it('names what is wrong with an inventory condition', () => {
    const problem = (condition: unknown) => {
      const result = queryRuleSchema.safeParse({ conditions: [condition] });
      return result.success ? null : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problem({ field: 'memoryMb', op: '>=', value: 1.5 })).toEqual(['conditions.0.value: must be a whole number of MB']);
    expect(problem({ field: 'diskFreeMb', op: '<=', value: -1 })).toEqual(['conditions.0.value: must be 0 or more MB']);
    expect(problem({ field: 'diskFreeMb', op: '<=', value: 2 ** 31 })).toEqual(['conditions.0.value: must be at most 2147483647 MB']);
    expect(problem({ field: 'memoryMb', op: '>=', value: null })).toEqual(['conditions.0.value: must be a number of MB']);
    expect(problem({ field: 'software', name: '' })).toEqual(['conditions.0.name: needs a package name']);
    expect(problem({ field: 'software', name: 'open ssl' })).toEqual(['conditions.0.name: a package name has no spaces']);
    expect(problem({ field: 'software', name: 'openssl', version: { op: '<', value: '' } })).toEqual([
      'conditions.0.version.value: needs a version to compare with',
    ]);
    expect(problem({ field: 'notSoftware', name: 'openssl', version: { op: '!=', value: '3' } })).toEqual([
      'conditions.0.version.op: must be one of <, <=, =, >=, >',
    ]);
    expect(problem({ field: 'clientActivity', value: 'active', days: 0 })).toEqual(['conditions.0.days: must be 1 to 3650 days']);
    expect(problem({ field: 'osVersion', op: '<', value: '' })).toEqual(['conditions.0.value: needs a value']);
    expect(problem({ field: 'software', name: 'openssl', version: { op: '<', value: '3.0.2' } })).toBeNull();
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
    expect(describeRule(query([{ field: 'software', name: 'openssl', version: { op: '<', value: '3.0.13' } }]))).toBe(
      'Query: has package "openssl" with version < 3.0.13',
    );
    expect(
      describeRule(
        query([
          { field: 'notSoftware', name: 'telnet' },
          { field: 'memoryMb', op: '>=', value: 8192 },
          { field: 'diskFreeMb', op: '<=', value: 1024 },
        ]),
      ),
    ).toBe('Query: does not have package "telnet" and memory at least 8192 MB and free disk space at most 1024 MB');
    expect(
      describeRule(
        query(
          [
            { field: 'osVersion', op: '<', value: '22.04' },
            { field: 'osVersion', op: 'startsWith', value: '12' },
            { field: 'model', op: 'contains', value: 'OptiPlex' },
            { field: 'manufacturer', op: 'equals', value: 'Dell Inc.' },
          ],
          'any',
        ),
      ),
    ).toBe('Query: OS version earlier than 22.04 or OS version starts with "12" or model contains "OptiPlex" or manufacturer is "Dell Inc."');
    expect(describeRule(query([{ field: 'clientActivity', value: 'inactive', days: 14 }]))).toBe(
      'Query: inactive clients (no activity in the last 14 days)',
    );
    expect(describeRule(query([{ field: 'clientActivity', value: 'active', days: 1 }]))).toBe('Query: active clients (activity in the last 1 day)');
  });
});
