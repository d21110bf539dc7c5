import { describe, expect, it } from 'vitest';
import { scriptContentHash } from '@/lib/scripts/script-content-hash';
import { scriptInputSchema, type ScriptParameter } from '@/lib/scripts/script.schema';
import { runScript } from '@/lib/agent/run-script';
import { MAX_ARGUMENT_BYTES, MAX_ARGUMENTS_BYTES, PATTERN_CHECK_MS, validateScriptArguments } from '@/lib/scripts/validate-script-arguments';

const parameters: ScriptParameter[] = [
  { name: 'Path', type: 'string', description: '', required: true, pattern: '/[^\\n]*', maxLength: 200 },
  { name: 'Days', type: 'integer', description: '', required: false, min: 1, max: 30 },
  { name: 'Force', type: 'boolean', description: '', required: false },
  { name: 'Mode', type: 'choice', description: '', required: false, choices: ['fast', 'full'] },
];

describe('validateScriptArguments', () => {
  it('passes values through as text, shell metacharacters untouched', () => {
    const tricky = '/tmp/$(touch pwned); `id` && echo "x" | rm -rf ~ \'q\'';
    const result = validateScriptArguments({ parameters, values: { Path: tricky, Days: 7, Force: true, Mode: 'full' } });
    expect(result).toEqual({
      ok: true,
      values: [
        { name: 'Path', value: tricky },
        { name: 'Days', value: '7' },
        { name: 'Force', value: 'true' },
        { name: 'Mode', value: 'full' },
      ],
    });
  });

  it('hands a whole number over as the decimal its range was checked as', () => {
    // "010" is 10 to the check but 8 to bash arithmetic, and "09" no number there at all.
    for (const [given, value] of [
      ['010', '10'],
      ['09', '9'],
      ['+5', null],
      ['030', '30'],
    ] as const) {
      const result = validateScriptArguments({ parameters, values: { Path: '/a', Days: given } });
      if (value === null) expect(result).toMatchObject({ ok: false, problems: [{ name: 'Days', message: 'must be a whole number' }] });
      else expect(result).toMatchObject({ ok: true, values: [{ name: 'Path' }, { name: 'Days', value }, { name: 'Force' }, { name: 'Mode' }] });
    }
  });

  it('reads a parameter named like a property every object has (constructor, toString, valueOf) as not given when left out', () => {
    const named: ScriptParameter[] = [
      { name: 'constructor', type: 'string', description: '', required: false },
      { name: 'toString', type: 'integer', description: '', required: true },
      { name: 'valueOf', type: 'choice', description: '', required: false, choices: ['a'] },
    ];
    expect(validateScriptArguments({ parameters: named, values: {} })).toEqual({
      ok: false,
      problems: [{ name: 'toString', message: 'is required' }],
    });
    expect(validateScriptArguments({ parameters: named, values: { toString: 5 } })).toEqual({
      ok: true,
      values: [
        { name: 'constructor', value: '' },
        { name: 'toString', value: '5' },
        { name: 'valueOf', value: '' },
      ],
    });
  });

  it('refuses values bash could not be started with, so a run the site accepts is one every client can start', async () => {
    // Each value goes twice, as an argument and as SITEBOX_PARAM_<name>: Linux takes at most 128 KB
    // of one argument or variable and about 2 MB of them all.
    const wide = Array.from({ length: 30 }, (_, i): ScriptParameter => ({ name: `P${i}`, type: 'string', description: '', required: false }));
    expect(validateScriptArguments({ parameters: wide, values: { P0: 'é'.repeat(65_536) } })).toEqual({
      ok: false,
      problems: [{ name: 'P0', message: `must be at most ${MAX_ARGUMENT_BYTES / 1024} KB as UTF-8 (this is 128 KB)` }],
    });
    const all = Object.fromEntries(wide.map((p) => [p.name, 'x'.repeat(MAX_ARGUMENT_BYTES)]));
    const refused = validateScriptArguments({ parameters: wide, values: all });
    expect(refused).toMatchObject({ ok: false, problems: [{ name: `P${MAX_ARGUMENTS_BYTES / MAX_ARGUMENT_BYTES}` }] });
    expect(refused.ok || refused.problems[0].message).toBe(`takes the values past ${MAX_ARGUMENTS_BYTES / 1024} KB as UTF-8 together`);

    // The most accepted starts.
    const most = Object.fromEntries(wide.slice(0, MAX_ARGUMENTS_BYTES / MAX_ARGUMENT_BYTES).map((p) => [p.name, 'é'.repeat(MAX_ARGUMENT_BYTES / 2)]));
    const checked = validateScriptArguments({ parameters: wide, values: most });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const text = 'echo "$#"\n';
    const ran = await runScript({
      script: { name: 'Wide', contentHash: scriptContentHash(text), timeoutSeconds: 60, arguments: checked.values },
      fetchText: () => Promise.resolve(text),
      signal: new AbortController().signal,
    });
    expect(ran).toMatchObject({ outcome: 'SUCCEEDED', script: { stdout: '30\n' } });
  });

  it('names each value that breaks its rule', () => {
    const result = validateScriptArguments({ parameters, values: { Days: 31, Force: 'yes', Mode: 'slow', Other: 'x' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.fromEntries(result.problems.map((p) => [p.name, p.message]))).toEqual({
      Other: 'is not a parameter of this script',
      Path: 'is required',
      Days: 'must be 30 or less',
      Force: 'must be true or false',
      Mode: 'must be one of fast, full',
    });
    const pattern = validateScriptArguments({ parameters, values: { Path: 'relative/path' } });
    expect(pattern).toEqual({ ok: false, problems: [{ name: 'Path', message: 'must match /[^\\n]*' }] });
    expect(validateScriptArguments({ parameters, values: { Path: '/a', Days: '1.5' } })).toMatchObject({ ok: false, problems: [{ name: 'Days' }] });
  });

  it('gives up on a pattern that backtracks catastrophically instead of holding the server', () => {
    const catastrophic: ScriptParameter[] = [{ name: 'Name', type: 'string', description: '', required: true, pattern: '(a+)+' }];
    const started = performance.now();
    // Unbounded, this value takes seconds (each more "a" doubles it) on the event loop the console shares.
    const result = validateScriptArguments({ parameters: catastrophic, values: { Name: `${'a'.repeat(28)}!` } });
    expect(performance.now() - started).toBeLessThan(PATTERN_CHECK_MS + 1000);
    expect(result).toEqual({
      ok: false,
      problems: [{ name: 'Name', message: 'could not be checked against (a+)+ in time (the pattern backtracks too much for this value)' }],
    });
    // The same pattern still checks an ordinary value.
    expect(validateScriptArguments({ parameters: catastrophic, values: { Name: 'aaa' } })).toEqual({
      ok: true,
      values: [{ name: 'Name', value: 'aaa' }],
    });
    expect(validateScriptArguments({ parameters: catastrophic, values: { Name: 'ab' } })).toMatchObject({
      ok: false,
      problems: [{ message: 'must match (a+)+' }],
    });
  });

  it('refuses parameter definitions that cannot be checked', () => {
    const parse = (p: unknown) => scriptInputSchema.safeParse({ name: 's', body: 'echo', parameters: [p] });
    expect(parse({ name: '1x', type: 'string' }).error?.issues[0].path).toEqual(['parameters', 0, 'name']);
    expect(parse({ name: 'x', type: 'string', pattern: '(' }).error?.issues[0].path).toEqual(['parameters', 0, 'pattern']);
    expect(parse({ name: 'x', type: 'choice' }).error?.issues[0].path).toEqual(['parameters', 0, 'choices']);
    expect(parse({ name: 'x', type: 'integer', min: 5, max: 1 }).error?.issues[0].path).toEqual(['parameters', 0, 'max']);
    expect(scriptInputSchema.safeParse({ name: 's', body: '  \n' }).error?.issues[0].path).toEqual(['body']);
  });

  it('hashes the exact text', () => {
    expect(scriptContentHash('echo hi\n')).toBe('ab08508fdf5ca4da5c4995987bc41c56c048aaa5eeb046417ae4049b7d40286e');
    expect(scriptContentHash('echo hi\n')).not.toBe(scriptContentHash('echo hi \n'));
  });
});
