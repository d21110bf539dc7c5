import type { DeviceCondition, QueryRule, SoftwareCondition } from './collection-rule.schema';

type OsVersionCondition = Extract<DeviceCondition, { field: 'osVersion' }>;

/**
 * A condition SQL alone can evaluate, or one whose version comparison has been made beforehand
 * (resolveQueryRule): the products or OS versions it matches travel as lists of values.
 */
export type ResolvedCondition =
  | Exclude<DeviceCondition, { field: 'software' | 'notSoftware' | 'osVersion' }>
  /** The products of that name (in the version range, when given). */
  | (SoftwareCondition & { productIds: number[] })
  /** For a version comparison, the OS versions devices report that satisfy it; null for text ops. */
  | (OsVersionCondition & { matchingVersions: string[] | null });

export interface ResolvedQueryRule extends Omit<QueryRule, 'conditions'> {
  conditions: ResolvedCondition[];
}

/**
 * Turns a resolved query rule into a parameterised WHERE clause over `device d JOIN site s`.
 * Values only ever travel as parameters; `firstParam` is the number of the first `$n`.
 */
export function deviceQuerySql(options: { rule: ResolvedQueryRule; firstParam: number }): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${options.firstParam + params.length - 1}`;
  };
  const { match, conditions } = options.rule;
  const has = conditions.filter((c) => c.field === 'software');
  const lacks = conditions.filter((c) => c.field === 'notSoftware');
  const parts: string[] = [];
  for (const c of conditions) {
    // Several software conditions of one kind become one clause, written where the first stood:
    // one subquery a condition would make an N-way join whose planning alone took PostgreSQL
    // seconds a rule (44 s for 200 rules of 50 "has package" conditions).
    if (c.field === 'software' && has.length > 1) {
      if (c === has[0]) parts.push(match === 'any' ? hasProductSql(allProductIds(has), next) : `d.id IN (${devicesWithAllSql(has, next)})`);
    } else if (c.field === 'notSoftware' && lacks.length > 1) {
      // Lacking all of them is having none; lacking any is not having them all.
      if (c === lacks[0]) parts.push(match === 'any' ? lacksAnySql(lacks, next) : lacksProductSql(allProductIds(lacks), next));
    } else {
      parts.push(conditionSql(c, next));
    }
  }
  return { sql: `(${parts.join(match === 'any' ? ' OR ' : ' AND ')})`, params };
}

type ResolvedSoftwareCondition = Extract<ResolvedCondition, { field: 'software' | 'notSoftware' }>;

const allProductIds = (conditions: ResolvedSoftwareCondition[]) => [...new Set(conditions.flatMap((c) => c.productIds))];

// Served by device_software's product_id index, then a semi-join on device.
function hasProductSql(productIds: number[], param: (value: unknown) => string): string {
  return `d.id IN (SELECT ds.device_id FROM device_software ds WHERE ds.product_id = ANY(${param(productIds)}::int[]))`;
}

function lacksProductSql(productIds: number[], param: (value: unknown) => string): string {
  return `NOT EXISTS (SELECT 1 FROM device_software ds WHERE ds.device_id = d.id AND ds.product_id = ANY(${param(productIds)}::int[]))`;
}

/** The device lacks every product of at least one of `conditions`. */
function lacksAnySql(conditions: ResolvedSoftwareCondition[], param: (value: unknown) => string): string {
  // NOT EXISTS over a subquery in FROM, so PostgreSQL makes it one anti-join.
  return `NOT EXISTS (SELECT 1 FROM (${devicesWithAllSql(conditions, param)}) w WHERE w.device_id = d.id)`;
}

/**
 * The devices having a product of every one of `conditions`: one join of device_software to the
 * (product, condition) pairs, counting the conditions each device meets. A product several
 * conditions match counts for each; a condition no product matches is met by no device.
 */
function devicesWithAllSql(conditions: ResolvedSoftwareCondition[], param: (value: unknown) => string): string {
  const productIds = conditions.flatMap((c) => c.productIds);
  const conditionIndexes = conditions.flatMap((c, i) => c.productIds.map(() => i));
  return (
    `SELECT ds.device_id FROM device_software ds` +
    ` JOIN unnest(${param(productIds)}::int[], ${param(conditionIndexes)}::int[]) AS m(product_id, condition_index) ON m.product_id = ds.product_id` +
    ` GROUP BY ds.device_id HAVING count(DISTINCT m.condition_index) = ${param(conditions.length)}::int`
  );
}

// Activity as Client Status counts it; devices that never reported any are inactive.
const lastActivity = `greatest(d.last_policy_request_at, d.last_heartbeat_at, d.last_hw_inventory_at)`;

function textSql(column: string, op: 'equals' | 'contains', value: string, param: (value: unknown) => string): string {
  return op === 'equals' ? `lower(${column}) = lower(${param(value)})` : `${column} ILIKE ${param(`%${escapeLike(value)}%`)} ESCAPE '\\'`;
}

function conditionSql(c: ResolvedCondition, param: (value: unknown) => string): string {
  switch (c.field) {
    case 'name':
      return `d.name ILIKE ${param(wildcardToLike(c.pattern))} ESCAPE '\\'`;
    case 'osName':
      return textSql('d.os_name', c.op, c.value, param);
    case 'osKind':
      return `d.os_kind = ${param(c.value)}::os_kind`;
    case 'siteCode':
      return `s.code = ${param(c.value)}`;
    case 'ipSubnet':
      // inet, not cidr: a subnet written with one of its addresses (10.1.2.3/8, which cidr refuses
      // for its host bits) is the subnet its mask names.
      return `(d.ip_address IS NOT NULL AND d.ip_address::inet <<= ${param(c.value)}::inet)`;
    case 'lastSeenWithinDays':
      return `d.last_seen_at > now() - make_interval(days => ${param(c.value)})`;
    case 'online':
      return `d.online = ${param(c.value)}`;
    case 'osVersion':
      if (c.op === 'equals') return `lower(d.os_version) = lower(${param(c.value)})`;
      if (c.op === 'startsWith') return `d.os_version ILIKE ${param(`${escapeLike(c.value)}%`)} ESCAPE '\\'`;
      return `d.os_version = ANY(${param(c.matchingVersions ?? [])}::text[])`;
    case 'memoryMb':
      return `d.memory_mb ${c.op === '>=' ? '>=' : '<='} ${param(c.value)}::int`;
    case 'diskFreeMb':
      return `d.disk_free_mb ${c.op === '>=' ? '>=' : '<='} ${param(c.value)}::int`;
    case 'model':
      return textSql('d.model', c.op, c.value, param);
    case 'manufacturer':
      return textSql('d.manufacturer', c.op, c.value, param);
    case 'software':
      return hasProductSql(c.productIds, param);
    case 'notSoftware':
      return lacksProductSql(c.productIds, param);
    case 'clientActivity': {
      const active = `coalesce(${lastActivity} > now() - make_interval(days => ${param(c.days)}), false)`;
      return c.value === 'active' ? active : `NOT ${active}`;
    }
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** `NYC-*` → `NYC-%`; `?` → `_`; literal `%` and `_` are escaped. */
export function wildcardToLike(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '%').replace(/\?/g, '_');
}
