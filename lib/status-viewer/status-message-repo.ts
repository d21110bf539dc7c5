import type pg from 'pg';
import { statusMessageRanges, type StatusMessageCursor, type StatusMessageFilters } from './status-message-filters.schema';

/** A status_message row as the viewer reads it. */
export interface StatusMessageRow {
  id: string;
  uid: string;
  message_id: number;
  severity: string;
  type: string;
  source: string;
  site_code: string;
  system_name: string;
  component: string;
  source_time: Date;
  received_at: Date;
  process_id: number | null;
  thread_id: number | null;
  insertion_strings: string[] | null;
  properties: Record<string, string>;
  expires_at: Date;
}

const COLUMNS = `id, uid, message_id, severity, type, source, site_code, system_name, component, source_time,
                 received_at, process_id, thread_id, insertion_strings, properties, expires_at`;

/** Filters on one value of a column that leads an index with the received time after it. */
const INDEX_LEADS = [
  ['system', 'system_name'],
  ['component', 'component'],
  ['messageId', 'message_id'],
] as const;

/**
 * WHERE clause and parameters for the filters; every value travels as a parameter.
 * `severityFrom`: the severity is the one this SQL expression names (one of several read in turn,
 * see selectStatusMessagePage), not the filter's. `lead`: the column to order by first, when the
 * page is to be read from that column's index (see selectPage).
 */
function filtersToSql(
  filters: StatusMessageFilters,
  cursor?: StatusMessageCursor,
  severityFrom?: string,
): { where: string; params: unknown[]; lead?: string } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const severities = filters.severity && [...new Set(filters.severity)];
  if (severityFrom) clauses.push(`severity = ${severityFrom}`);
  // One severity with `=`, which its index gives in order (`= ANY(…)` does not).
  else if (severities?.length === 1) clauses.push(`severity = ${p(severities[0])}::severity`);
  else if (severities) clauses.push(`severity = ANY(${p(severities)}::severity[])`);
  // Without a severity (whose own index then leads), the first of these filters is written as a
  // range of one value and the page ordered by its column first; see selectPage.
  const led =
    severityFrom || severities ? undefined : INDEX_LEADS.find(([field]) => (field === 'messageId' ? filters[field] !== undefined : filters[field]));
  if (led) {
    const value = p(filters[led[0]]);
    clauses.push(`${led[1]} >= ${value} AND ${led[1]} <= ${value}`);
    filters = { ...filters, [led[0]]: undefined };
  }
  if (filters.range) clauses.push(`received_at >= now() - ${p(`${statusMessageRanges[filters.range] / 1000} seconds`)}::interval`);
  if (filters.from) clauses.push(`received_at >= ${p(filters.from)}`);
  if (filters.to) clauses.push(`received_at < ${p(filters.to)}`);
  if (filters.type) clauses.push(`type = ${p(filters.type)}::message_type`);
  if (filters.source) clauses.push(`source = ${p(filters.source)}::message_source`);
  if (filters.component) clauses.push(`component = ${p(filters.component)}`);
  if (filters.system) clauses.push(`system_name = ${p(filters.system)}`);
  if (filters.site) clauses.push(`site_code = ${p(filters.site)}`);
  if (filters.messageId !== undefined) clauses.push(`message_id = ${p(filters.messageId)}`);
  if (filters.propertyName !== undefined) {
    clauses.push(
      filters.propertyValue !== undefined
        ? `properties @> jsonb_build_object(${p(filters.propertyName)}::text, ${p(filters.propertyValue)}::text)`
        : `properties ? ${p(filters.propertyName)}`,
    );
  }
  if (cursor) clauses.push(`(received_at, id) < (${p(cursor.receivedAt)}::timestamptz, ${p(cursor.id)}::bigint)`);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, lead: led?.[1] };
}

/**
 * One page of stored messages matching `filters`, after `cursor`, newest first; `limit` rows at most.
 *
 * Filtered by severity, each severity is read on its own, in order, from the (severity,
 * received_at, id) index, and several are merged. `severity = ANY(…)` cannot be read from that
 * index in order, so PostgreSQL walked the newest messages of every severity instead: a page of
 * errors read, first, every informational message received since the last error (after a
 * metering flood, a quarter of a million of them).
 */
export async function selectStatusMessagePage(
  db: pg.Pool,
  options: { filters: StatusMessageFilters; cursor?: StatusMessageCursor; limit: number },
): Promise<StatusMessageRow[]> {
  const severities = options.filters.severity && [...new Set(options.filters.severity)];
  if (!severities || severities.length < 2) return selectPage(db, filtersToSql(options.filters, options.cursor), options.limit);
  const { where, params } = filtersToSql(options.filters, options.cursor, 'wanted.level');
  params.push(options.limit, severities);
  const limit = `$${params.length - 1}`;
  const { rows } = await db.query<StatusMessageRow>(
    `SELECT ${COLUMNS} FROM unnest($${params.length}::severity[]) AS wanted(level)
       CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM status_message ${where} ORDER BY received_at DESC, id DESC LIMIT ${limit}) AS page
      ORDER BY received_at DESC, id DESC LIMIT ${limit}`,
    params,
  );
  return rows;
}

/**
 * One page, newest first. With a `lead` column (filtered to one value, as a range), the page is
 * ordered by that column first, which changes nothing in the order (the column holds one value)
 * but makes PostgreSQL read the column's index: with `column = value` it counted the column
 * constant, took the received-time index as giving the order, and walked the newest messages
 * checking each, which, when none of the newest match (a component's messages after a flood of
 * another's), meant reading every one of them first.
 */
async function selectPage(db: pg.Pool, { where, params, lead }: ReturnType<typeof filtersToSql>, limit: number): Promise<StatusMessageRow[]> {
  params.push(limit);
  const { rows } = await db.query<StatusMessageRow>(
    `SELECT ${COLUMNS} FROM status_message ${where} ORDER BY ${lead ? `${lead} DESC, ` : ''}received_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** The newest `limit` messages with `after` < id <= `upTo`, newest first. */
export async function selectStatusMessagesInSpan(db: pg.Pool, options: { after: string; upTo: string; limit: number }): Promise<StatusMessageRow[]> {
  const { rows } = await db.query<StatusMessageRow>(`SELECT ${COLUMNS} FROM status_message WHERE id > $1 AND id <= $2 ORDER BY id DESC LIMIT $3`, [
    options.after,
    options.upTo,
    options.limit,
  ]);
  return rows;
}

export async function findStatusMessageRow(db: pg.Pool, id: string): Promise<StatusMessageRow | undefined> {
  const { rows } = await db.query<StatusMessageRow>(`SELECT ${COLUMNS} FROM status_message WHERE id = $1`, [id]);
  return rows[0];
}
