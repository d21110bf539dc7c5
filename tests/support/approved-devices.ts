// Approved devices with fresh credentials, for tests that upload to the management point as them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pool } from '../../lib/db/pool';
import { deviceUploads } from '../../lib/http/serve-device-uploads';
import { deviceCredential } from './credentials';

/**
 * Adds approved devices named `names` to site 1 (which must exist) and gives each a credential;
 * returns each one's `Authorization` header value and id.
 */
export async function approvedDevices(names: string[]): Promise<{ auth: Record<string, string>; ids: Record<string, number> }> {
  await pool().query(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
     SELECT 1, n, 'Debian GNU/Linux', '12', 'WORKSTATION', 'APPROVED', now() FROM unnest($1::text[]) n`,
    [names],
  );
  const auth: Record<string, string> = {};
  const ids: Record<string, number> = {};
  for (const name of names) {
    auth[name] = await deviceCredential(name);
    ids[name] = Number(/^Device (\d+)\./.exec(auth[name])![1]);
  }
  return { auth, ids };
}

/** Starts a plain Node server answering the device uploads as server.ts and mp.ts do (404 otherwise): its base URL and a stop. */
export async function startLeanUploads(): Promise<{ url: string; stop(): Promise<void> }> {
  const uploads = deviceUploads();
  const lean = createServer((req, res) => (uploads.handles(req) ? void uploads.serve(req, res) : void res.writeHead(404).end()));
  await new Promise<void>((resolve) => lean.listen(0, '127.0.0.1', resolve));
  const { port } = lean.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => lean.close(() => resolve())) };
}
