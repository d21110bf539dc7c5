import type pg from 'pg';
import { pool } from '../db/pool';
import { findLookAlikeName } from '../db/name-key';
import { inTransaction as runInTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import { scriptParameterSchema, type ScriptInput, type ScriptRow } from './script.schema';

const inTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => runInTransaction(pool(), work);

const COLUMNS = `id, name, description, body, parameters, timeout_seconds, content_hash, author_ids, created_by, updated_by,
  approved_by, approved_at, approved_hash, created_at, updated_at`;

interface ScriptDbRow {
  id: number;
  name: string;
  description: string;
  body: string;
  parameters: unknown;
  timeout_seconds: number;
  content_hash: string;
  author_ids: number[] | null;
  created_by: string;
  updated_by: string;
  approved_by: string | null;
  approved_at: Date | null;
  approved_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

function toRow(r: ScriptDbRow): ScriptRow {
  const approved = r.approved_hash !== null && r.approved_hash === r.content_hash && r.approved_by !== null && r.approved_at !== null;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    body: r.body,
    parameters: scriptParameterSchema.array().parse(r.parameters),
    timeoutSeconds: r.timeout_seconds,
    contentHash: r.content_hash,
    authorIds: r.author_ids ?? [],
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    approval: approved ? { by: r.approved_by!, at: r.approved_at!.toISOString() } : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A second script of the same name is a 409 naming the field. */
function nameTaken(error: unknown): never {
  if ((error as { code?: string }).code === '23505')
    throw new AppError('CONFLICT', {
      userMessage: 'A script of that name already exists.',
      details: { fields: [{ path: 'name', message: 'is already used by another script' }] },
    });
  throw error;
}

/**
 * Refuses a name that reads the same as another script's ("Disk report", "disk report",
 * "Ｄｉｓｋ report"): Run Script picks scripts by name, and a look-alike could be run for the one meant.
 */
async function refuseLookAlikeName(client: pg.PoolClient, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(client, 'script', name, exceptId);
  if (other) {
    throw new AppError('CONFLICT', {
      userMessage: `A script of that name already exists ("${other}").`,
      details: { fields: [{ path: 'name', message: 'is already used by another script' }] },
    });
  }
}

export async function listScripts(): Promise<ScriptRow[]> {
  const { rows } = await pool().query<ScriptDbRow>(`SELECT ${COLUMNS} FROM script ORDER BY name, id LIMIT 5000`);
  return rows.map(toRow);
}

export async function findScriptOrThrow(id: number, db: pg.Pool | pg.PoolClient = pool(), lock = false): Promise<ScriptRow> {
  const { rows } = await db.query<ScriptDbRow>(`SELECT ${COLUMNS} FROM script WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return toRow(notFoundOrThrow(rows[0], 'The script'));
}

/** The approved script whose text hashes to `contentHash`, or null: what an agent may fetch. */
export async function findApprovedScriptByHash(contentHash: string): Promise<ScriptRow | null> {
  const { rows } = await pool().query<ScriptDbRow>(
    `SELECT ${COLUMNS} FROM script WHERE content_hash = $1 AND approved_hash = content_hash ORDER BY id LIMIT 1`,
    [contentHash],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function insertScript(
  options: { input: ScriptInput; contentHash: string; authorId: number; authorName: string },
  audit: (client: pg.PoolClient, row: ScriptRow) => Promise<void>,
): Promise<ScriptRow> {
  const { input, contentHash, authorId, authorName } = options;
  return inTransaction(async (client) => {
    await refuseLookAlikeName(client, input.name, null);
    const { rows } = await client
      .query<ScriptDbRow>(
        `INSERT INTO script (name, description, body, parameters, timeout_seconds, content_hash, author_ids, created_by, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, ARRAY[$7::int], $8, $8, now()) RETURNING ${COLUMNS}`,
        [input.name, input.description, input.body, JSON.stringify(input.parameters), input.timeoutSeconds, contentHash, authorId, authorName],
      )
      .catch(nameTaken);
    const row = toRow(rows[0]);
    await audit(client, row);
    return row;
  });
}

/**
 * Replaces a script's text and settings. The editor joins its authors, and any approval is
 * withdrawn: the new text has not been reviewed. Refused while a run still needs the approved text.
 */
export async function updateScript(
  options: { id: number; input: ScriptInput; contentHash: string; editorId: number; editorName: string; check?: (current: ScriptRow) => void },
  audit: (client: pg.PoolClient, before: ScriptRow, after: ScriptRow) => Promise<void>,
): Promise<ScriptRow> {
  const { id, input, contentHash, editorId, editorName } = options;
  return inTransaction(async (client) => {
    const before = await findScriptOrThrow(id, client, true);
    options.check?.(before);
    await refuseWhileRunsUseIt(client, before, 'editing');
    // Names stored before this check may already look alike: an edit that keeps its name goes through.
    if (input.name !== before.name) await refuseLookAlikeName(client, input.name, id);
    const { rows } = await client
      .query<ScriptDbRow>(
        `UPDATE script SET name = $2, description = $3, body = $4, parameters = $5, timeout_seconds = $6, content_hash = $7,
                author_ids = CASE WHEN $8::int = ANY(author_ids) THEN author_ids ELSE array_append(author_ids, $8::int) END,
                updated_by = $9, approved_by_id = NULL, approved_by = NULL, approved_at = NULL, approved_hash = NULL, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, input.name, input.description, input.body, JSON.stringify(input.parameters), input.timeoutSeconds, contentHash, editorId, editorName],
      )
      .catch(nameTaken);
    const after = toRow(rows[0]);
    await audit(client, before, after);
    return after;
  });
}

/** Records an approval once `check` (given the locked row) finds nothing against it. */
export async function approveScript(
  options: { id: number; approverId: number; approverName: string; check: (row: ScriptRow) => void },
  audit: (client: pg.PoolClient, row: ScriptRow) => Promise<void>,
): Promise<ScriptRow> {
  return inTransaction(async (client) => {
    const current = await findScriptOrThrow(options.id, client, true);
    options.check(current);
    const { rows } = await client.query<ScriptDbRow>(
      `UPDATE script SET approved_by_id = $2, approved_by = $3, approved_at = now(), approved_hash = content_hash WHERE id = $1 RETURNING ${COLUMNS}`,
      [options.id, options.approverId, options.approverName],
    );
    const row = toRow(rows[0]);
    await audit(client, row);
    return row;
  });
}

/**
 * Clients fetch the text of a run by its hash when the push reaches them, up to the run's end:
 * with the only approved copy gone (the script deleted, or edited, which withdraws its approval),
 * every target still waiting would fail. 409 naming the runs while any has a client yet to answer.
 */
async function refuseWhileRunsUseIt(client: pg.PoolClient, row: ScriptRow, doing: 'deleting' | 'editing'): Promise<void> {
  const { rows: runs } = await client.query<{ id: number; valid_until: Date }>(
    `SELECT o.id, o.valid_until FROM client_operation o
      WHERE o.action = 'RUN_SCRIPT' AND o.script->>'contentHash' = $1 AND o.cancelled_at IS NULL AND o.valid_until > now()
        AND (o.pending_target_ids IS NOT NULL
             OR EXISTS (SELECT 1 FROM client_operation_target t WHERE t.operation_id = o.id AND t.state IN ('WAITING', 'DELIVERED')))
        AND $1 = $2 AND NOT EXISTS (SELECT 1 FROM script s WHERE s.id <> $3 AND s.content_hash = $1 AND s.approved_hash = s.content_hash)
      ORDER BY o.valid_until DESC LIMIT 5`,
    [row.contentHash, row.approval ? row.contentHash : null, row.id],
  );
  if (!runs.length) return;
  const named = runs.map((r) => r.id).join(', ');
  throw new AppError('CONFLICT', {
    userMessage: `Client operation ${named} is running this script until ${runs[0].valid_until.toISOString()}; cancel it or wait for its end before ${doing} the script.`,
    details: { fields: [{ path: 'id', message: `is run by client operation ${named}` }] },
  });
}

export async function deleteScript(id: number, audit: (client: pg.PoolClient, row: ScriptRow) => Promise<void>): Promise<void> {
  await inTransaction(async (client) => {
    const row = await findScriptOrThrow(id, client, true);
    await refuseWhileRunsUseIt(client, row, 'deleting');
    await client.query(`DELETE FROM script WHERE id = $1`, [id]);
    await audit(client, row);
  });
}
