import type { DeviceCondition, QueryRule } from './collection-rule.schema';

/**
 * Turns a query rule into a parameterised WHERE clause over `device d JOIN site s`.
 * Values only ever travel as parameters; `firstParam` is the number of the first `$n`.
 */
export function deviceQuerySql(options: { rule: QueryRule; firstParam: number }): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${options.firstParam + params.length - 1}`;
  };
  const parts = options.rule.conditions.map((c) => conditionSql(c, next));
  const joiner = options.rule.match === 'any' ? ' OR ' : ' AND ';
  return { sql: `(${parts.join(joiner)})`, params };
}

function conditionSql(c: DeviceCondition, param: (value: unknown) => string): string {
  switch (c.field) {
    case 'name':
      return `d.name ILIKE ${param(wildcardToLike(c.pattern))} ESCAPE '\\'`;
    case 'osName':
      return c.op === 'equals' ? `lower(d.os_name) = lower(${param(c.value)})` : `d.os_name ILIKE ${param(`%${escapeLike(c.value)}%`)} ESCAPE '\\'`;
    case 'osKind':
      return `d.os_kind = ${param(c.value)}::os_kind`;
    case 'siteCode':
      return `s.code = ${param(c.value)}`;
    case 'ipSubnet':
      return `(d.ip_address IS NOT NULL AND d.ip_address::inet <<= ${param(c.value)}::cidr)`;
    case 'lastSeenWithinDays':
      return `d.last_seen_at > now() - make_interval(days => ${param(c.value)})`;
    case 'online':
      return `d.online = ${param(c.value)}`;
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** `NYC-*` → `NYC-%`; `?` → `_`; literal `%` and `_` are escaped. */
export function wildcardToLike(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '%').replace(/\?/g, '_');
}
