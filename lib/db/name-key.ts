/**
 * SQL for a name as a reader tells it apart — without invisible characters (zero-width ones, soft
 * hyphens, bidirectional controls: an isolate or embedding leaves left-to-right text as it looks),
 * in one Unicode form (full-width letters, composed accents), in lower case — so
 * "Servers", "servers" and "Ｓｅｒｖｅｒｓ" compare equal. `expression` is a column or a parameter ($1).
 */
export function nameKeySql(expression: string): string {
  return `lower(normalize(regexp_replace(${expression}, '[\\u00AD\\u034F\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF]', '', 'g'), NFKC))`;
}

/** A transaction to ask in: a pg client, or what a Prisma transaction offers for raw SQL (kept structural: this module needs no client). */
type NameSql =
  | { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }
  | {
      $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
      $queryRawUnsafe<T>(query: string, ...values: unknown[]): PromiseLike<T>;
    };

/**
 * Another row of `table` (a column `name`, a key `id`) whose name reads like `name`, the row
 * `exceptId` excepted: its name, or null. Takes a lock that orders the writers of the table's
 * names to the transaction's end, so two look-alikes written at once cannot both pass.
 */
export async function findLookAlikeName(tx: NameSql, table: string, name: string, exceptId: number | null): Promise<string | null> {
  const lock = `SELECT pg_advisory_xact_lock(hashtext('${table} names'))`;
  const find = `SELECT name FROM ${table} WHERE ${nameKeySql('name')} = ${nameKeySql('$1')} AND id IS DISTINCT FROM $2::int LIMIT 1`;
  if ('query' in tx) {
    await tx.query(lock);
    return ((await tx.query(find, [name, exceptId])).rows as { name: string }[])[0]?.name ?? null;
  }
  await tx.$executeRawUnsafe(lock);
  return (await tx.$queryRawUnsafe<{ name: string }[]>(find, name, exceptId))[0]?.name ?? null;
}
