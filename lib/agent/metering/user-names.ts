import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long a uid no source could name stays unnamed before it is asked for again. */
const UNNAMED_RETRY_MS = 10 * 60_000;

/**
 * The name the system's name service gives a uid (`getent passwd UID`: /etc/passwd, and the
 * directory — LDAP, Active Directory through sssd or winbind — where nsswitch.conf says so), or
 * null when it knows none or cannot be asked.
 */
export async function nameServiceUserName(uid: number): Promise<string | null> {
  try {
    const { stdout } = await run('getent', ['passwd', String(uid)], { timeout: 5_000 });
    const [name, , found] = stdout.split('\n', 1)[0].split(':');
    return name && found === String(uid) ? name : null;
  } catch {
    // Exit code 2: no such uid. Anything else (no getent, a directory not answering): no name now.
    return null;
  }
}

/**
 * User names by uid: from /etc/passwd (read again when a uid is not in it: a user added since),
 * else from the name service (a directory user the file does not list). A uid neither names is
 * reported as its number, and asked for again after UNNAMED_RETRY_MS.
 */
export function createUserNames(options: { passwdFile?: string; nameService?: (uid: number) => Promise<string | null>; now?: () => number } = {}) {
  const passwdFile = options.passwdFile ?? '/etc/passwd';
  const nameService = options.nameService ?? nameServiceUserName;
  const now = options.now ?? Date.now;
  let names = new Map<number, string>();
  const fromNameService = new Map<number, string>();
  const unnamedSince = new Map<number, number>();
  const load = async () => {
    const text = await readFile(passwdFile, 'utf8').catch(() => '');
    names = new Map(
      text.split('\n').flatMap((line) => {
        const [name, , uid] = line.split(':');
        return name && uid && /^\d+$/.test(uid) ? [[Number(uid), name] as const] : [];
      }),
    );
  };
  return async function userName(uid: number): Promise<string> {
    const known = names.get(uid) ?? fromNameService.get(uid);
    if (known) return known;
    const since = unnamedSince.get(uid);
    if (since !== undefined && now() - since < UNNAMED_RETRY_MS) return String(uid);
    await load();
    const name = names.get(uid) ?? (await nameService(uid));
    if (name === null) {
      unnamedSince.set(uid, now());
      return String(uid);
    }
    unnamedSince.delete(uid);
    if (!names.has(uid)) fromNameService.set(uid, name);
    return name;
  };
}
