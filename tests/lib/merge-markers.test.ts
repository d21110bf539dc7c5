import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the checkout', () => {
  it('holds no unresolved merge conflict markers in tracked files', () => {
    let found = '';
    try {
      found = execFileSync('git', ['grep', '-n', '-E', '^(<<<<<<< |>>>>>>> |=======$)', '--', '.', ':!node_modules'], { encoding: 'utf8' });
    } catch (error) {
      // git grep exits 1 when nothing matches.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    expect(found).toBe('');
  });
});
