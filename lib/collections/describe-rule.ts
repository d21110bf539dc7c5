import { plural } from '../plural';
import { queryRuleSchema, type DeviceCondition, type SoftwareCondition } from './collection-rule.schema';

/** A collection rule as stored, with the names the description needs. */
export interface StoredRule {
  kind: 'DIRECT' | 'QUERY' | 'INCLUDE' | 'EXCLUDE';
  query: unknown;
  deviceName: string | null;
  referencedCollectionName: string | null;
}

const osVersionOps = {
  equals: 'is',
  startsWith: 'starts with',
  '<': 'earlier than',
  '<=': 'at most',
  '>=': 'at least',
  '>': 'later than',
} as const;

function quoted(op: string, value: string): string {
  return op === 'equals' || op === 'startsWith' || op === 'contains' ? `"${value}"` : value;
}

function describeSoftware(c: SoftwareCondition): string {
  const has = c.field === 'software' ? 'has package' : 'does not have package';
  return c.version ? `${has} "${c.name}" with version ${c.version.op} ${c.version.value}` : `${has} "${c.name}"`;
}

function describeCondition(c: DeviceCondition): string {
  switch (c.field) {
    case 'name':
      return `name matches ${c.pattern}`;
    case 'osName':
      return `operating system ${c.op === 'equals' ? 'is' : 'contains'} "${c.value}"`;
    case 'osKind':
      return c.value === 'SERVER' ? 'servers' : 'workstations';
    case 'siteCode':
      return `assigned to site ${c.value}`;
    case 'ipSubnet':
      return `IP address in ${c.value}`;
    case 'lastSeenWithinDays':
      return `seen in the last ${plural(c.value, 'day')}`;
    case 'online':
      return c.value ? 'online' : 'offline';
    case 'osVersion':
      return `OS version ${osVersionOps[c.op]} ${quoted(c.op, c.value)}`;
    case 'memoryMb':
      return `memory ${c.op === '>=' ? 'at least' : 'at most'} ${c.value} MB`;
    case 'diskFreeMb':
      return `free disk space ${c.op === '>=' ? 'at least' : 'at most'} ${c.value} MB`;
    case 'model':
    case 'manufacturer':
      return `${c.field} ${c.op === 'equals' ? 'is' : 'contains'} "${c.value}"`;
    case 'software':
    case 'notSoftware':
      return describeSoftware(c);
    case 'clientActivity':
      return c.value === 'active'
        ? `active clients (activity in the last ${plural(c.days, 'day')})`
        : `inactive clients (no activity in the last ${plural(c.days, 'day')})`;
  }
}

/** One line an administrator can read: what the rule adds or removes. */
export function describeRule(rule: StoredRule): string {
  switch (rule.kind) {
    case 'DIRECT':
      return `Direct member: ${rule.deviceName ?? '(deleted device)'}`;
    case 'INCLUDE':
      return `Include collection: ${rule.referencedCollectionName ?? '(deleted collection)'}`;
    case 'EXCLUDE':
      return `Exclude collection: ${rule.referencedCollectionName ?? '(deleted collection)'}`;
    case 'QUERY': {
      const parsed = queryRuleSchema.safeParse(rule.query);
      if (!parsed.success) return 'Query: (not valid; selects no devices)';
      const joiner = parsed.data.match === 'any' ? ' or ' : ' and ';
      return `Query: ${parsed.data.conditions.map(describeCondition).join(joiner)}`;
    }
  }
}
