import type pg from 'pg';
import { csvField } from '../csv-field';
import { AppError, notFoundOrThrow } from '../errors';
import { renderDescription } from '../reporting/catalog';
import {
  encodeCursor,
  statusMessageFiltersSchema,
  statusMessageRanges,
  type ListStatusMessagesQuery,
  type StatusMessageCursor,
  type StatusMessageFilters,
  type StatusMessageView,
} from './status-message-filters.schema';
import { findStatusMessageQueryOrThrow, resolveQuery } from './status-queries';

interface Row {
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

function toView(r: Row): StatusMessageView {
  const insertionStrings = r.insertion_strings ?? [];
  return {
    id: r.id,
    uid: r.uid,
    messageId: r.message_id,
    severity: r.severity,
    type: r.type,
    source: r.source,
    siteCode: r.site_code,
    systemName: r.system_name,
    component: r.component,
    sourceTime: r.source_time.toISOString(),
    receivedAt: r.received_at.toISOString(),
    processId: r.process_id,
    threadId: r.thread_id,
    insertionStrings,
    properties: r.properties ?? {},
    expiresAt: r.expires_at.toISOString(),
    description: renderDescription({ messageId: r.message_id, insertionStrings }),
  };
}

/** WHERE clause and parameters for the filters; every value travels as a parameter. */
export function filtersToSql(filters: StatusMessageFilters, cursor?: StatusMessageCursor): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.range) clauses.push(`received_at >= now() - ${p(`${statusMessageRanges[filters.range] / 1000} seconds`)}::interval`);
  if (filters.from) clauses.push(`received_at >= ${p(filters.from)}`);
  if (filters.to) clauses.push(`received_at < ${p(filters.to)}`);
  if (filters.severity) clauses.push(`severity = ANY(${p(filters.severity)}::severity[])`);
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
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * The filters a list request stands for: its own parameters, or a Status Message Query's
 * criteria with the prompted values (`prompts`, keyed by field) filled in, narrowed further by
 * any parameter given beside it.
 */
export async function resolveFilters(options: {
  request: ListStatusMessagesQuery;
  prompts: Record<string, string | undefined>;
}): Promise<StatusMessageFilters> {
  const { limit: _limit, cursor: _cursor, query, ...own } = options.request;
  const fromQuery = query
    ? resolveQuery({ criteria: (await findStatusMessageQueryOrThrow(query)).criteria, values: options.prompts })
    : {};
  const merged = { ...fromQuery, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) };
  const parsed = statusMessageFiltersSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The filters are not valid.',
      details: { fields: parsed.error.issues.map((i) => ({ path: (query && i.path[0] && i.path[0] in fromQuery ? 'prompt.' : '') + i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/**
 * One page of stored messages, newest first, in (received_at, id) order so the next page
 * starts exactly where this one ended however many messages arrive meanwhile.
 */
export async function listStatusMessages(options: {
  db: pg.Pool;
  filters: StatusMessageFilters;
  limit: number;
  cursor?: StatusMessageCursor;
}): Promise<{ items: StatusMessageView[]; nextCursor: string | null }> {
  const { where, params } = filtersToSql(options.filters, options.cursor);
  params.push(options.limit + 1);
  const { rows } = await options.db.query<Row>(
    `SELECT ${COLUMNS} FROM status_message ${where} ORDER BY received_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: rows.length > options.limit && last ? encodeCursor({ receivedAt: last.received_at.toISOString(), id: last.id }) : null,
  };
}

/** The newest `limit` messages with `after` < id <= `upTo`, newest first: what the live tail sends. */
export async function listStatusMessagesInSpan(options: { db: pg.Pool; after: string; upTo: string; limit: number }): Promise<StatusMessageView[]> {
  const { rows } = await options.db.query<Row>(
    `SELECT ${COLUMNS} FROM status_message WHERE id > $1 AND id <= $2 ORDER BY id DESC LIMIT $3`,
    [options.after, options.upTo, options.limit],
  );
  return rows.map(toView);
}

export async function getStatusMessageOrThrow(options: { db: pg.Pool; id: string }): Promise<StatusMessageView> {
  if (!/^\d{1,19}$/.test(options.id)) throw new AppError('NOT_FOUND', { userMessage: 'That status message was not found.' });
  const { rows } = await options.db.query<Row>(`SELECT ${COLUMNS} FROM status_message WHERE id = $1`, [options.id]);
  return toView(notFoundOrThrow(rows[0], 'That status message'));
}

const CSV_COLUMNS: [string, (m: StatusMessageView) => string | number | null][] = [
  ['Received', (m) => m.receivedAt],
  ['Source time', (m) => m.sourceTime],
  ['Severity', (m) => m.severity],
  ['Type', (m) => m.type],
  ['Source', (m) => m.source],
  ['Site', (m) => m.siteCode],
  ['System', (m) => m.systemName],
  ['Component', (m) => m.component],
  ['Message ID', (m) => m.messageId],
  ['Description', (m) => m.description],
  ['Process ID', (m) => m.processId],
  ['Thread ID', (m) => m.threadId],
  ['Properties', (m) => (Object.keys(m.properties).length ? JSON.stringify(m.properties) : '')],
  ['Insertion strings', (m) => JSON.stringify(m.insertionStrings)],
  ['Id', (m) => m.id],
  ['Uid', (m) => m.uid],
];

/** The filtered messages as CSV, newest first, read page by page as the client consumes the stream. */
export function exportStatusMessagesCsv(options: { db: pg.Pool; filters: StatusMessageFilters; pageSize?: number }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: StatusMessageCursor | undefined;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${CSV_COLUMNS.map(([h]) => h).join(',')}\r\n`));
        return;
      }
      if (done) return controller.close();
      const page = await listStatusMessages({ db: options.db, filters: options.filters, limit: options.pageSize ?? 2000, cursor });
      const lines = page.items.map((m) => `${CSV_COLUMNS.map(([, get]) => csvField(get(m))).join(',')}\r\n`).join('');
      if (lines) controller.enqueue(encoder.encode(lines));
      const last = page.items[page.items.length - 1];
      if (!page.nextCursor || !last) done = true;
      else cursor = { receivedAt: last.receivedAt, id: last.id };
    },
  });
}
