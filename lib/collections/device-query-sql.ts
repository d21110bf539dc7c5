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
  const parts = options.rule.conditions.map((c) => conditionSql(c, next));
  const joiner = options.rule.match === 'any' ? ' OR ' : ' AND ';
  return { sql: `(${parts.join(joiner)})`, params };
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
      // Served by device_software's product_id index, then a semi-join on device.
      return `d.id IN (SELECT ds.device_id FROM device_software ds WHERE ds.product_id = ANY(${param(c.productIds)}::int[]))`;
    case 'notSoftware':
      return `NOT EXISTS (SELECT 1 FROM device_software ds WHERE ds.device_id = d.id AND ds.product_id = ANY(${param(c.productIds)}::int[]))`;
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
