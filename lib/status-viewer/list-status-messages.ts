import type pg from 'pg';
import { csvField } from '../csv-field';
import { AppError, notFoundOrThrow } from '../errors';
import { renderDescription } from '../reporting/catalog';
import {
  encodeCursor,
  filterCombinationIssues,
  statusMessageFilterFieldsSchema,
  type ListStatusMessagesQuery,
  type StatusMessageCursor,
  type StatusMessageFilters,
  type StatusMessageView,
} from './status-message-filters.schema';
import { narrowStatusMessageFilters } from './narrow-filters';
import { findStatusMessageQueryOrThrow, resolveQuery } from './status-queries';
import { findStatusMessageRow, selectStatusMessagePage, selectStatusMessagesInSpan, type StatusMessageRow } from './status-message-repo';

function toView(r: StatusMessageRow): StatusMessageView {
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

/**
 * The filters a list request stands for: its own parameters, or a Status Message Query's
 * criteria with the prompted values (`prompts`, keyed by field) filled in, narrowed by any
 * parameter given beside it (see narrowStatusMessageFilters). A parameter no message could pass
 * together with the query is a 400 naming it, as contradictory criteria are refused when saved.
 */
export async function resolveFilters(options: {
  request: ListStatusMessagesQuery;
  prompts: Record<string, string | undefined>;
}): Promise<StatusMessageFilters> {
  const { limit: _limit, cursor: _cursor, query, ...request } = options.request;
  const own = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as StatusMessageFilters;
  let filters = own;
  let fromQuery: Record<string, string> = {};
  if (query) {
    fromQuery = resolveQuery({ criteria: (await findStatusMessageQueryOrThrow(query)).criteria, values: options.prompts });
    const parsed = statusMessageFilterFieldsSchema.safeParse(fromQuery);
    if (!parsed.success) refuse(parsed.error.issues.map((i) => ({ path: `prompt.${i.path.join('.')}`, message: i.message })));
    const narrowed = narrowStatusMessageFilters({ query: parsed.data, own });
    if (narrowed.conflicts.length) refuse(narrowed.conflicts, 'Some filters contradict the query: no message could match both.');
    filters = narrowed.filters;
  }
  const issues = filterCombinationIssues(filters);
  if (issues.length) refuse(issues.map((i) => ({ ...i, path: i.path in fromQuery && !(i.path in own) ? `prompt.${i.path}` : i.path })));
  return filters;
}

function refuse(fields: { path: string; message: string }[], userMessage = 'The filters are not valid.'): never {
  throw new AppError('BAD_REQUEST', { userMessage, details: { fields } });
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
  const rows = await selectStatusMessagePage(options.db, { filters: options.filters, cursor: options.cursor, limit: options.limit + 1 });
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: rows.length > options.limit && last ? encodeCursor({ receivedAt: last.received_at.toISOString(), id: last.id }) : null,
  };
}

/** The newest `limit` messages with `after` < id <= `upTo`, newest first: what the live tail sends. */
export async function listStatusMessagesInSpan(options: { db: pg.Pool; after: string; upTo: string; limit: number }): Promise<StatusMessageView[]> {
  const rows = await selectStatusMessagesInSpan(options.db, options);
  return rows.map(toView);
}

export async function getStatusMessageOrThrow(options: { db: pg.Pool; id: string }): Promise<StatusMessageView> {
  if (!/^\d{1,19}$/.test(options.id)) throw new AppError('NOT_FOUND', { userMessage: 'That status message was not found.' });
  return toView(notFoundOrThrow(await findStatusMessageRow(options.db, options.id), 'That status message'));
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
  return new ReadableStream<Uint8Array>({
    // Each pull enqueues or closes: one that did neither (the empty last page of a filter nothing
    // matched) was never pulled again by a reader already waiting, which then waited for ever.
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${CSV_COLUMNS.map(([h]) => h).join(',')}\r\n`));
        return;
      }
      const page = await listStatusMessages({ db: options.db, filters: options.filters, limit: options.pageSize ?? 2000, cursor });
      const lines = page.items.map((m) => `${CSV_COLUMNS.map(([, get]) => csvField(get(m))).join(',')}\r\n`).join('');
      if (lines) controller.enqueue(encoder.encode(lines));
      const last = page.items[page.items.length - 1];
      if (!page.nextCursor || !last) controller.close();
      else cursor = { receivedAt: last.receivedAt, id: last.id };
    },
  });
}
