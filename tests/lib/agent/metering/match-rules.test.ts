import { describe, expect, it } from 'vitest';
import { fileNameMatches, matchingRules, versionMatches, wildcardPattern } from '@/lib/agent/metering/match-rules';
import type { MeteringPolicyRule } from '@/lib/protocol/metering-policy.schema';

const rule = (ruleId: number, fileName: string, version = '*'): MeteringPolicyRule => ({
  ruleId,
  ruleName: `S01${String(ruleId).padStart(5, '0')}`,
  productName: 'P',
  fileName,
  originalFileName: '',
  version,
  revision: '1',
});

describe('software metering rule matching', () => {
  it('matches an executable name against the file name alone, exactly and case-sensitively', () => {
    expect(fileNameMatches(rule(1, 'firefox'), { filePath: '/usr/lib/firefox/firefox' })).toBe(true);
    expect(fileNameMatches(rule(1, 'firefox'), { filePath: 'firefox' })).toBe(true);
    expect(fileNameMatches(rule(1, 'firefox'), { filePath: '/usr/bin/firefox-esr' })).toBe(false);
    expect(fileNameMatches(rule(1, 'Firefox'), { filePath: '/usr/bin/firefox' })).toBe(false);
    expect(fileNameMatches(rule(1, 'firefox*'), { filePath: '/usr/bin/firefox-esr' })).toBe(true);
    expect(fileNameMatches(rule(1, 'vi?'), { filePath: '/usr/bin/vim' })).toBe(true);
    expect(fileNameMatches(rule(1, 'vi?'), { filePath: '/usr/bin/vi' })).toBe(false);
  });

  it('matches a path pattern against the whole path, * and ? within one folder level', () => {
    const code = rule(2, '/opt/*/bin/code');
    expect(fileNameMatches(code, { filePath: '/opt/vscode/bin/code' })).toBe(true);
    expect(fileNameMatches(code, { filePath: '/opt/a/b/bin/code' })).toBe(false);
    expect(fileNameMatches(code, { filePath: '/usr/opt/vscode/bin/code' })).toBe(false);
    expect(fileNameMatches(code, { filePath: 'code' })).toBe(false);
    // Characters that mean something to a regular expression are literal.
    expect(fileNameMatches(rule(3, '/opt/c++/bin/g.+'), { filePath: '/opt/c++/bin/g.+' })).toBe(true);
    expect(fileNameMatches(rule(3, '/opt/c++/bin/g.+'), { filePath: '/opt/c++/bin/gxx' })).toBe(false);
    expect(wildcardPattern('a(b)[c]$').test('a(b)[c]$')).toBe(true);
  });

  it('matches a pattern of many stars in time proportional to its length, where a regular expression backtracked for seconds', () => {
    const started = performance.now();
    expect(fileNameMatches(rule(4, `${'*a'.repeat(12)}*b`), { filePath: `/usr/bin/${'a'.repeat(200)}` })).toBe(false);
    expect(fileNameMatches(rule(4, `${'*a'.repeat(12)}*b`), { filePath: `/usr/bin/${'a'.repeat(200)}b` })).toBe(true);
    expect(fileNameMatches(rule(5, `/opt/${'*?'.repeat(20)}/x`), { filePath: `/opt/${'q'.repeat(300)}/y` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
    // The same rules as before: stars and marks stay within a level, an empty level matches a star.
    expect(wildcardPattern('a*/*b').test('a/b')).toBe(true);
    expect(wildcardPattern('a*').test('ab/c')).toBe(false);
    expect(wildcardPattern('*x*').test('x')).toBe(true);
    expect(wildcardPattern('?').test('😀')).toBe(true);
    expect(wildcardPattern('a?c').test('ac')).toBe(false);
  });

  it('matches versions with wildcards; "*" matches an unknown version, any other pattern does not', () => {
    expect(versionMatches(rule(1, 'x', '*'), null)).toBe(true);
    expect(versionMatches(rule(1, 'x', '115.*'), '115.3.1esr-1~deb12u1')).toBe(true);
    expect(versionMatches(rule(1, 'x', '115.*'), '102.0-1')).toBe(false);
    expect(versionMatches(rule(1, 'x', '1.?'), '1.2')).toBe(true);
    expect(versionMatches(rule(1, 'x', '1.?'), null)).toBe(false);
  });

  it('returns every rule a program matches, asking for its version only when a file name matched', async () => {
    const rules = [rule(1, 'tool'), rule(2, '/opt/*/tool', '2.*'), rule(3, '/opt/*/tool', '3.*'), rule(4, 'other')];
    const asked: string[] = [];
    const versionOf = async (filePath: string) => (asked.push(filePath), '2.5-1');
    const found = await matchingRules({ rules, program: { filePath: '/opt/x/tool' }, versionOf });
    expect(found.map((m) => [m.rule.ruleId, m.version])).toEqual([
      [1, '2.5-1'],
      [2, '2.5-1'],
    ]);
    expect(asked).toEqual(['/opt/x/tool']);
    expect(await matchingRules({ rules, program: { filePath: '/usr/bin/sleep' }, versionOf })).toEqual([]);
    expect(asked).toHaveLength(1);
  });
});
