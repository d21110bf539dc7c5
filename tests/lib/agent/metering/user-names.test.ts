// User names for metered runs: /etc/passwd first, then the machine's own name service (getent),
// which is where directory users (LDAP, Active Directory) are found.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../support/temp-dir';
import { createUserNames, nameServiceUserName } from '@/lib/agent/metering/user-names';

/** A uid no system gives out (above the 32-bit ranges directories hand out here). */
const NOBODY_KNOWS = 2_000_000_001;

const tempDir = useTempDir('sitebox-user-names-');

describe('user names', () => {
  it('reads the passwd file, again for a user added since', async () => {
    const passwdFile = path.join(tempDir(), 'passwd-a');
    await writeFile(passwdFile, 'alice:x:1000:1000::/home/alice:/bin/sh\n');
    const userName = createUserNames({ passwdFile, nameService: async () => null });
    expect(await userName(1000)).toBe('alice');
    await appendFile(passwdFile, 'bob:x:1001:1001::/home/bob:/bin/sh\n');
    expect(await userName(1001)).toBe('bob');
  });

  it('asks the name service for a uid the file does not list', async () => {
    // The machine's real getent: uid 0 is root everywhere, whatever the file given here says.
    expect(await nameServiceUserName(0)).toBe('root');
    expect(await nameServiceUserName(NOBODY_KNOWS)).toBeNull();
    const passwdFile = path.join(tempDir(), 'passwd-b');
    await writeFile(passwdFile, 'alice:x:1000:1000::/home/alice:/bin/sh\n');
    expect(await createUserNames({ passwdFile })(0)).toBe('root');
  });

  it('reports a uid nobody names as its number, and asks again only after ten minutes', async () => {
    const passwdFile = path.join(tempDir(), 'passwd-c');
    await writeFile(passwdFile, '');
    let asked = 0;
    let now = 0;
    const userName = createUserNames({
      passwdFile,
      nameService: async (uid) => {
        asked++;
        return nameServiceUserName(uid);
      },
      now: () => now,
    });
    expect(await userName(NOBODY_KNOWS)).toBe(String(NOBODY_KNOWS));
    now = 9 * 60_000;
    expect(await userName(NOBODY_KNOWS)).toBe(String(NOBODY_KNOWS));
    expect(asked).toBe(1);
    now = 10 * 60_000;
    expect(await userName(NOBODY_KNOWS)).toBe(String(NOBODY_KNOWS));
    expect(asked).toBe(2);
    // A name found once is kept.
    expect(await userName(0)).toBe('root');
    expect(await userName(0)).toBe('root');
    expect(asked).toBe(3);
  });
});
