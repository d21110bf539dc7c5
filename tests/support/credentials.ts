// Client and site system credentials for tests that talk to the management point endpoints.
import { hashToken, newToken } from '../../lib/auth/tokens';
import { pool } from '../../lib/db/pool';
import { issueSiteSystemCredential } from '../../lib/sites/site-system-credentials';

/** Gives an existing device a fresh credential; returns its `Authorization` header value. */
export async function deviceCredential(deviceName: string): Promise<string> {
  const secret = newToken();
  const { rows } = await pool().query<{ id: number }>(`UPDATE device SET credential_hash = $2 WHERE name = $1 RETURNING id`, [
    deviceName,
    hashToken(secret),
  ]);
  if (rows.length !== 1) throw new Error(`expected one device named ${deviceName}, found ${rows.length}`);
  return `Device ${rows[0].id}.${secret}`;
}

/** Issues a site system credential (creating the site system if needed); returns its header value. */
export async function siteSystemCredential(siteCode: string, name: string): Promise<string> {
  return (await issueSiteSystemCredential({ siteCode, name })).credential;
}
