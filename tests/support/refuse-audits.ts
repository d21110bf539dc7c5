// Makes the database refuse every audit for the length of `work`, as a full disk or a cut
// connection would refuse the audit of a change: the change must then not be made either.
import { pool } from '../../lib/db/pool';

/** Runs `work` while a trigger refuses every insert of an audit into status_inbox. */
export async function withAuditsRefused<T>(work: () => Promise<T>): Promise<T> {
  await pool().query(`
    CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.origin = 'audit' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_audit BEFORE INSERT ON status_inbox FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
  try {
    return await work();
  } finally {
    await pool().query(`DROP TRIGGER refuse_audit ON status_inbox; DROP FUNCTION refuse_audit();`);
  }
}

/** How many audits status_inbox holds. */
export async function auditCount(): Promise<number> {
  return (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM status_inbox WHERE origin = 'audit'`)).rows[0].n;
}
