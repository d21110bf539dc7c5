import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ReplicationPriority } from './status-filter-rule.schema';
import type { InboxMessage } from '../reporting/inbox-repo';

/** A message ready to be stored: the wire fields plus when it arrived and until when it is kept. */
export interface StoredMessageRow {
  message: InboxMessage;
  receivedAt: Date;
  expiresAt: Date;
  /** Its sender vouched that it was never sent before (see statusBatchSchema): not looked for among stored messages. */
  firstSending?: boolean;
}

const ARRAY_ELEMENT_SPECIAL = /[\\"]/;

/**
 * PostgreSQL's text-array literal for one row's insertion strings (the rows travel as text[] of
 * these). Built by concatenation, each element escaped only when it holds a quote or backslash:
 * Status Manager makes one per stored message.
 */
function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    literal += `${i ? ',' : ''}"${ARRAY_ELEMENT_SPECIAL.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
  }
  return `${literal}}`;
}

const COLUMNS =
  'uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at, process_id, thread_id, insertion_strings, properties, expires_at';

/** COPY text format: backslash, tab, newline and carriage return escaped. */
function copyField(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

/**
 * Characters of COPY text per chunk: each chunk stays below V8's large-object size (128 KB, even
 * as two-byte text), where a string gets fresh memory of its own every time; on a virtual
 * machine each new page costs microseconds, and a flood writes thousands of chunks.
 */
const CHUNK_CHARS = 48 * 1024;

/** Whether two messages agree on every field printed between the uid and the insertion strings. */
function sameSharedFields(a: InboxMessage, b: InboxMessage): boolean {
  return (
    a.messageId === b.messageId &&
    a.severity === b.severity &&
    a.type === b.type &&
    a.source === b.source &&
    a.siteCode === b.siteCode &&
    a.systemName === b.systemName &&
    a.component === b.component &&
    a.sourceTime === b.sourceTime &&
    a.processId === b.processId &&
    a.threadId === b.threadId
  );
}

function copyLines(rows: readonly StoredMessageRow[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  // A batch's rows share their arrival and mostly their expiry, and one sender's messages mostly
  // share everything from the message ID to the thread: each printed once for a run of rows that
  // share it, not per row (a flood's rows differ only in uid, insertion strings and properties).
  let received: { at: Date | null; text: string } = { at: null, text: '' };
  let expires: { at: number; text: string } = { at: NaN, text: '' };
  let shared: { from: InboxMessage | null; text: string } = { from: null, text: '' };
  for (let i = 0; i < rows.length; i++) {
    const { message: m, receivedAt, expiresAt } = rows[i];
    if (receivedAt !== received.at) {
      received = { at: receivedAt, text: receivedAt.toISOString() };
      shared = { from: null, text: '' };
    }
    if (expiresAt.getTime() !== expires.at) expires = { at: expiresAt.getTime(), text: expiresAt.toISOString() };
    if (shared.from === null || !sameSharedFields(shared.from, m)) {
      shared = {
        from: m,
        text:
          `\t${m.messageId}\t${m.severity}\t${m.type}\t${m.source}\t${copyField(m.siteCode)}\t${copyField(m.systemName)}\t` +
          `${copyField(m.component)}\t${m.sourceTime}\t${received.text}\t${m.processId ?? '\\N'}\t${m.threadId ?? '\\N'}\t`,
      };
    }
    chunk += `${m.uid}${shared.text}${copyField(textArrayLiteral(m.insertionStrings ?? []))}\t${copyField(JSON.stringify(m.properties ?? {}))}\t${expires.text}\n`;
    if (chunk.length > CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk) chunks.push(chunk);
  return chunks;
}

const DAY_MS = 86_400_000;
/** How far apart two arrivals of one uid (a batch and its retry) may be and still be recognised. */
const REPEAT_WINDOW_MS = 86_400_000;
/** How far apart the expiries of the rows looked up in one window may be. */
const EXPIRY_GROUP_MS = 86_400_000;

/**
 * The uids among $1 already stored with an expiry between $2 and $3. status_message is
 * partitioned by expires_at, so its unique key is (uid, expires_at); each uid is looked up on its
 * own through that index, in the partitions of the window only. Asked as `uid = ANY($1)` over the
 * window, the planner takes the expires_at index whenever the day's partition holds more rows
 * than its statistics know of (the case all through a flood) and reads every row of the window.
 */
export const STORED_UIDS_SQL = `SELECT m.uid FROM unnest($1::uuid[]) AS u(uid)
  CROSS JOIN LATERAL (SELECT uid FROM status_message WHERE uid = u.uid AND expires_at >= $2 AND expires_at <= $3 LIMIT 1) AS m`;

/** A stretch of expiry times looked up together, and the uids of the rows whose expiry is in it. */
export interface ExpiryWindow {
  from: Date;
  to: Date;
  uids: string[];
}

/**
 * The windows to look a batch's uids up in. A retry that arrives later is stamped a later
 * expires_at, so each row's window reaches a day either side of its expiry. Rows are grouped by
 * expiry, each group spanning at most a day, and each group gets a window of its own: a batch that
 * mixes a day's retention with a month's looks in the few partitions around each, not in every
 * partition of the month between them (a uid probe per partition in the window).
 */
export function expiryWindows(rows: readonly { uid: string; expiresAt: Date }[]): ExpiryWindow[] {
  const sorted = [...rows].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
  const windows: ExpiryWindow[] = [];
  let first = 0;
  let last = 0;
  let uids: string[] = [];
  const close = () => windows.push({ from: new Date(first - REPEAT_WINDOW_MS), to: new Date(last + REPEAT_WINDOW_MS), uids });
  for (const row of sorted) {
    const at = row.expiresAt.getTime();
    if (uids.length && at - first > EXPIRY_GROUP_MS) {
      close();
      uids = [];
    }
    if (!uids.length) first = at;
    last = at;
    uids.push(row.uid);
  }
  if (uids.length) close();
  return windows;
}

/** The uids among `rows` already stored with an expiry near theirs, looked up window by window (see expiryWindows). */
async function findStoredUids(client: pg.ClientBase, rows: readonly { uid: string; expiresAt: Date }[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const window of expiryWindows(rows)) {
    const { rows: found } = await client.query<{ uid: string }>(STORED_UIDS_SQL, [window.uids, window.from, window.to]);
    for (const r of found) stored.add(r.uid);
  }
  return stored;
}

/** How long a recorded retention counts as fresh: a batch that stores with it records it again only after this. */
const RETENTION_REFRESH_MS = 3_600_000;

/**
 * Records in status_retention_used the retentions (whole days) of messages this transaction
 * stores, unless the table says they were used within the hour. It commits with the messages, so
 * a retention is known before anything stored with it can be looked for (recordProcessedUids).
 * Read first, without a lock: nearly every batch finds its retentions fresh and writes nothing,
 * so concurrent Status Manager transactions do not queue on these few rows.
 */
async function noteRetentionsUsed(client: pg.ClientBase, rows: readonly StoredMessageRow[]): Promise<void> {
  const days = new Set<number>();
  for (const r of rows) days.add(Math.round((r.expiresAt.getTime() - r.receivedAt.getTime()) / DAY_MS));
  const { rows: fresh } = await client.query<{ days: number }>(
    `SELECT retention_days AS days FROM status_retention_used
      WHERE retention_days = ANY($1::int[]) AND last_used_at >= now() - make_interval(secs => $2::float8 / 1000)`,
    [[...days], RETENTION_REFRESH_MS],
  );
  for (const r of fresh) days.delete(r.days);
  if (!days.size) return;
  // In ascending order: two transactions recording the same retentions lock their rows in one order, never each other's.
  await client.query(
    `INSERT INTO status_retention_used (retention_days, last_used_at) SELECT d, now() FROM unnest($1::int[]) AS d
     ON CONFLICT (retention_days) DO UPDATE SET last_used_at = greatest(status_retention_used.last_used_at, EXCLUDED.last_used_at)`,
    [[...days].sort((a, b) => a - b)],
  );
}

/**
 * Writes messages with COPY, the fastest way into PostgreSQL, leaving out those already stored
 * (a retried batch; a batch and its retry are never processed at once, see lockSenders). Rows
 * marked firstSending are not looked for: their sender never sent them before. Should
 * one of them still meet a stored copy with the same expiry, the unique key refuses the COPY and
 * the rows go in again with INSERT ... ON CONFLICT DO NOTHING, which skips the repeats. Returns
 * the uids actually inserted.
 */
export async function insertStatusMessages(client: pg.ClientBase, all: readonly StoredMessageRow[]): Promise<Set<string>> {
  if (!all.length) return new Set();
  const mayRepeat: { uid: string; expiresAt: Date }[] = [];
  for (const r of all) if (!r.firstSending) mayRepeat.push({ uid: r.message.uid, expiresAt: r.expiresAt });
  const stored = mayRepeat.length ? await findStoredUids(client, mayRepeat) : new Set<string>();
  const rows = stored.size ? all.filter((r) => !stored.has(r.message.uid)) : all;
  if (!rows.length) return new Set();
  await noteRetentionsUsed(client, rows);
  await client.query('SAVEPOINT status_copy');
  try {
    await pipeline(Readable.from(copyLines(rows)), client.query(copyFrom(`COPY status_message (${COLUMNS}) FROM STDIN`)));
    await client.query('RELEASE SAVEPOINT status_copy');
    return new Set(rows.map((r) => r.message.uid));
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('ROLLBACK TO SAVEPOINT status_copy');
    return insertStatusMessagesSkippingDuplicates(client, rows);
  }
}

/**
 * Writes messages with one multi-row INSERT ... SELECT FROM unnest(...). A uid already
 * stored is skipped; returns the uids actually inserted, so only those run their actions.
 */
export async function insertStatusMessagesSkippingDuplicates(client: pg.ClientBase, rows: readonly StoredMessageRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const n = rows.length;
  const uid = new Array<string>(n);
  const messageId = new Array<number>(n);
  const severity = new Array<string>(n);
  const type = new Array<string>(n);
  const source = new Array<string>(n);
  const siteCode = new Array<string>(n);
  const systemName = new Array<string>(n);
  const component = new Array<string>(n);
  const sourceTime = new Array<string>(n);
  const receivedAt = new Array<Date>(n);
  const processId = new Array<number | null>(n);
  const threadId = new Array<number | null>(n);
  const insertionStrings = new Array<string>(n);
  const properties = new Array<string>(n);
  const expiresAt = new Array<Date>(n);
  for (let i = 0; i < n; i++) {
    const { message: m, receivedAt: r, expiresAt: e } = rows[i];
    uid[i] = m.uid;
    messageId[i] = m.messageId;
    severity[i] = m.severity;
    type[i] = m.type;
    source[i] = m.source;
    siteCode[i] = m.siteCode;
    systemName[i] = m.systemName;
    component[i] = m.component;
    sourceTime[i] = m.sourceTime;
    receivedAt[i] = r;
    processId[i] = m.processId ?? null;
    threadId[i] = m.threadId ?? null;
    insertionStrings[i] = textArrayLiteral(m.insertionStrings ?? []);
    properties[i] = JSON.stringify(m.properties ?? {});
    expiresAt[i] = e;
  }
  const { rows: inserted } = await client.query<{ uid: string }>(
    `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component,
                                 source_time, received_at, process_id, thread_id, insertion_strings, properties, expires_at)
     SELECT t.uid, t.message_id, t.severity, t.type, t.source, t.site_code, t.system_name, t.component,
            t.source_time, t.received_at, t.process_id, t.thread_id, t.insertion_strings::text[], t.properties::jsonb, t.expires_at
       FROM unnest($1::uuid[], $2::int[], $3::severity[], $4::message_type[], $5::message_source[], $6::text[], $7::text[],
                   $8::text[], $9::timestamptz[], $10::timestamptz[], $11::int[], $12::int[], $13::text[], $14::text[],
                   $15::timestamptz[])
            AS t(uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at,
                 process_id, thread_id, insertion_strings, properties, expires_at)
     ON CONFLICT (uid, expires_at) DO NOTHING
     RETURNING uid`,
    [
      uid,
      messageId,
      severity,
      type,
      source,
      siteCode,
      systemName,
      component,
      sourceTime,
      receivedAt,
      processId,
      threadId,
      insertionStrings,
      properties,
      expiresAt,
    ],
  );
  return new Set(inserted.map((r) => r.uid));
}

/**
 * Records the uids of processed messages that were not stored. Returns the ones seen for the
 * first time: neither in the ledger nor stored as a message before (not looked for among stored
 * messages when marked firstSending).
 *
 * A message stored before and now discarded is a retry that arrived after the rules changed. Its
 * stored copy came in within the repeat window with a retention status_retention_used records, so
 * it is looked for, retention by retention, only around the expiry that retention gave it: a few
 * partitions each, instead of every partition of status_message (tens of index probes per uid on
 * a site keeping a month, which made discarding a flood dearer than storing it).
 */
export async function recordProcessedUids(
  client: pg.ClientBase,
  items: readonly { uid: string; receivedAt: Date; firstSending?: boolean }[],
): Promise<Set<string>> {
  if (!items.length) return new Set();
  const mayRepeat = items.filter((i) => !i.firstSending);
  let stored = new Set<string>();
  if (mayRepeat.length) {
    // A copy stored within the repeat window of the earliest arrival here, its retention recorded at most an hour before.
    let earliest = Infinity;
    for (const i of mayRepeat) earliest = Math.min(earliest, i.receivedAt.getTime());
    const { rows: retentions } = await client.query<{ days: number }>(
      `SELECT retention_days AS days FROM status_retention_used WHERE last_used_at >= $1`,
      [new Date(earliest - REPEAT_WINDOW_MS - RETENTION_REFRESH_MS)],
    );
    const candidates = retentions.flatMap(({ days }) =>
      mayRepeat.map((i) => ({ uid: i.uid, expiresAt: new Date(i.receivedAt.getTime() + days * DAY_MS) })),
    );
    if (candidates.length) stored = await findStoredUids(client, candidates);
  }
  return ledgerUids(
    client,
    items.map((i) => i.uid).filter((uid) => !stored.has(uid)),
  );
}

/** Adds uids to the processed-uid ledger; returns those it did not hold yet. */
export async function ledgerUids(client: pg.ClientBase, uids: readonly string[]): Promise<Set<string>> {
  if (!uids.length) return new Set();
  const { rows } = await client.query<{ uid: string }>(
    `INSERT INTO status_processed_uid (uid) SELECT unnest($1::uuid[]) ON CONFLICT (uid) DO NOTHING RETURNING uid`,
    [uids],
  );
  return new Set(rows.map((r) => r.uid));
}

/**
 * Of these uids, the ones the processed-uid ledger holds: processed before without being stored,
 * or stored from a batch that may have been sent before (whose first sending, arriving only now,
 * is not looked for among stored messages). Other stored ones are found when they are written.
 */
export async function findLedgeredUids(client: pg.ClientBase, uids: readonly string[]): Promise<Set<string>> {
  if (!uids.length) return new Set();
  const { rows } = await client.query<{ uid: string }>(`SELECT uid FROM status_processed_uid WHERE uid = ANY($1::uuid[])`, [uids]);
  return new Set(rows.map((r) => r.uid));
}

/** Queues messages for the parent site in the caller's transaction; a uid already queued stays once. */
export async function enqueueReplication(
  client: pg.ClientBase,
  items: readonly { message: InboxMessage; priority: Exclude<ReplicationPriority, 'NONE'> }[],
): Promise<number> {
  if (!items.length) return 0;
  const result = await client.query(
    `INSERT INTO replication_outbox (uid, priority, payload)
     SELECT * FROM unnest($1::uuid[], $2::replication_priority[], $3::jsonb[])
     ON CONFLICT (uid) DO NOTHING`,
    [items.map((i) => i.message.uid), items.map((i) => i.priority), items.map((i) => JSON.stringify(i.message))],
  );
  return result.rowCount ?? 0;
}

/** The highest status_message id handed out so far (ids are never reused), as text. */
export async function lastMessageId(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS id FROM status_message_id_seq`,
  );
  return rows[0].id;
}

/** The planner's estimate of stored status messages (no count over the table): the sum over its partitions. */
export async function estimateStoredMessages(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint::text AS n
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'status_message'::regclass`,
  );
  return Number(rows[0]?.n ?? 0);
}
