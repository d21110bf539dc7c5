import { evaluateLiveQuery, type Row } from '../../live-query/evaluate-query';
import { readLiveQuery } from '../../live-query/validate-query';
import { LIVE_QUERY_DEVICE_ROWS, LIVE_QUERY_VALUE_LIMIT, type ActionResultDetail, type LiveQueryRun } from '../../protocol/agent-protocol.schema';

/** How an agent reads an entity from its machine (collect-entity.ts; the simulator's are synthetic). */
/** `signal` aborts the reading (the operation cancelled, the agent stopping): a file may take long to hash. */
export type EntityCollector = (entity: string, argument: string | null, signal?: AbortSignal) => Promise<Row[]>;

/**
 * A result message must fit the channel's 4 MB (maxHttpBufferSize, in bytes): rows stop at this
 * many bytes of UTF-8 — not characters, as text in most scripts takes two or three bytes a
 * character — and the answer says it was cut.
 */
const ANSWER_BYTES = 3_000_000;

/**
 * Answers a pushed live query on this machine: parses the text again (the agent trusts no one's
 * parse but its own), reads the entity, runs the device's stages, and returns the rows — at most
 * LIVE_QUERY_DEVICE_ROWS of them and about 3 MB, long values cut, marked truncated when cut.
 * Throws with the reason when the query does not parse or the entity cannot be read.
 */
export async function answerLiveQuery(
  run: LiveQueryRun,
  collect: EntityCollector,
  signal?: AbortSignal,
): Promise<{ message: string; liveQuery: NonNullable<ActionResultDetail['liveQuery']> }> {
  const read = readLiveQuery(run.text);
  if (read.error) throw new Error(`the query does not parse at line ${read.error.line}, column ${read.error.column}: ${read.error.message}`);
  const entity = read.query.entity.name.toLowerCase();
  const all = evaluateLiveQuery(read.query, await collect(entity, read.query.entity.argument, signal));
  const rows: Row[] = [];
  let bytes = 0;
  let truncated = all.length > LIVE_QUERY_DEVICE_ROWS;
  for (const row of all.slice(0, LIVE_QUERY_DEVICE_ROWS)) {
    const kept = Object.fromEntries(
      Object.entries(row).map(([k, v]) => {
        if (typeof v !== 'string' || v.length <= LIVE_QUERY_VALUE_LIMIT) return [k, v];
        truncated = true;
        return [k, v.slice(0, LIVE_QUERY_VALUE_LIMIT)];
      }),
    );
    bytes += Buffer.byteLength(JSON.stringify(kept));
    if (bytes > ANSWER_BYTES) {
      truncated = true;
      break;
    }
    rows.push(kept);
  }
  const plural = all.length === 1 ? 'row' : 'rows';
  return {
    message: truncated ? `Answered ${all.length} ${plural}; sent the first ${rows.length}.` : `Answered ${all.length} ${plural}.`,
    liveQuery: { rows, rowCount: all.length, truncated },
  };
}
