import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '@/lib/auth/password';
import { newPasswordSchema } from '@/lib/auth/password.schema';

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword({ hash, password: 'correct horse battery staple' })).toBe(true);
    expect(await verifyPassword({ hash, password: 'correct horse battery stapl' })).toBe(false);
  });

  it('treats a malformed hash as a wrong password', async () => {
    expect(await verifyPassword({ hash: 'not-a-hash', password: 'x' })).toBe(false);
  });

  it('generates one-time passwords that pass the password rule and differ', () => {
    const a = generatePassword();
    expect(newPasswordSchema.safeParse(a).success).toBe(true);
    expect(generatePassword()).not.toBe(a);
  });

  it('refuses short passwords with a reason', () => {
    const result = newPasswordSchema.safeParse('short');
    expect(result.error?.issues[0].message).toBe('must be at least 12 characters');
  });
});
