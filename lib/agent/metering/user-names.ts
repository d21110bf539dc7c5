import { readFile } from 'node:fs/promises';

/**
 * User names by uid from /etc/passwd, read again when a uid is not in it (a user added since).
 * A uid without a name (a directory user nss knows but the file does not) is reported as its number.
 */
export function createUserNames(passwdFile = '/etc/passwd') {
  let names = new Map<number, string>();
  let loaded = false;
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
    if (!loaded || !names.has(uid)) {
      await load();
      loaded = true;
    }
    return names.get(uid) ?? String(uid);
  };
}
