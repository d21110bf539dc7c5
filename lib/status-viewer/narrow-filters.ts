import { statusMessageRanges, type StatusMessageFilters } from './status-message-filters.schema';

/** A filter given beside a query that no message could pass together with the query's criteria. */
export interface FilterConflict {
  /** The filter parameter given beside the query. */
  path: string;
  message: string;
}

const EQUAL_FIELDS = ['type', 'source', 'site', 'component', 'system', 'messageId'] as const;

/**
 * A Status Message Query's resolved criteria narrowed by the filters given beside it: messages
 * must pass both, so a filter never widens the query or replaces one of its criteria. A filter
 * no message could pass together with the query (another type than the query's, a time after
 * its end) is a conflict naming the filter. Pure; the list API and the viewer's live tail both
 * use it, so they agree.
 */
export function narrowStatusMessageFilters(options: { query: StatusMessageFilters; own: StatusMessageFilters }): {
  filters: StatusMessageFilters;
  conflicts: FilterConflict[];
} {
  const { query, own } = options;
  const filters: StatusMessageFilters = { ...query };
  const conflicts: FilterConflict[] = [];
  const contradicts = (field: string, value: unknown) =>
    conflicts.push({ path: field, message: `contradicts the query's ${field} ${value instanceof Date ? value.toISOString() : String(value)}` });

  for (const field of EQUAL_FIELDS) {
    const mine = own[field];
    if (mine === undefined) continue;
    if (query[field] !== undefined && query[field] !== mine) contradicts(field, query[field]);
    else Object.assign(filters, { [field]: mine });
  }

  if (own.severity) {
    const both = query.severity ? own.severity.filter((s) => query.severity!.includes(s)) : own.severity;
    if (both.length) filters.severity = both;
    else conflicts.push({ path: 'severity', message: `names none of the query's severities (${query.severity!.join(', ')})` });
  }

  if (own.range && (!query.range || statusMessageRanges[own.range] < statusMessageRanges[query.range])) filters.range = own.range;
  if (own.from && (!query.from || own.from > query.from)) filters.from = own.from;
  if (own.to && (!query.to || own.to < query.to)) filters.to = own.to;
  if (filters.from && filters.to && filters.from >= filters.to && (own.from || own.to)) {
    // Named after the filter given beside the query; both given and backwards is the schema's own refusal.
    if (own.to && filters.to === own.to) {
      conflicts.push({
        path: 'to',
        message: filters.from === own.from ? 'must be after from' : `must be after the query's from ${filters.from.toISOString()}`,
      });
    } else conflicts.push({ path: 'from', message: `must be before the query's to ${filters.to.toISOString()}` });
  }

  if (own.propertyName !== undefined || own.propertyValue !== undefined) {
    const name = own.propertyName ?? query.propertyName;
    if (query.propertyName !== undefined && name !== query.propertyName) {
      // The filters hold one property; a second one would have to be another filter.
      conflicts.push({ path: 'propertyName', message: `cannot be given beside the query's property ${query.propertyName}` });
    } else if (own.propertyValue !== undefined && query.propertyValue !== undefined && own.propertyValue !== query.propertyValue) {
      contradicts('propertyValue', query.propertyValue);
    } else {
      filters.propertyName = name;
      filters.propertyValue = own.propertyValue ?? query.propertyValue;
    }
  }
  return { filters, conflicts };
}
