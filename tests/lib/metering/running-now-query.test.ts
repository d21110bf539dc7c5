// The live query a metering report offers for "who has it open now": built from the rule's file
// name, read by the live query language, and matching the processes the rule meters.
import { describe, expect, it } from 'vitest';
import { evaluateLiveQuery } from '@/lib/live-query/evaluate-query';
import { readLiveQuery } from '@/lib/live-query/validate-query';
import { runningNowQuery } from '@/lib/metering/running-now-query';

const processes = [
  { pid: 1, name: 'gimp-2.10', user: 'alice', cpu: 1, memoryMb: 200, command: '/usr/bin/gimp-2.10 photo.xcf' },
  { pid: 2, name: 'pycharm-profess', user: 'bob', cpu: 3, memoryMb: 900, command: '/snap/pycharm-professional/400/bin/pycharm-professional' },
  { pid: 3, name: 'bash', user: 'alice', cpu: 0, memoryMb: 5, command: '/usr/bin/bash' },
];

const run = (fileName: string) => {
  const text = runningNowQuery({ fileName });
  if (text === null) return null;
  const read = readLiveQuery(text);
  if (read.error) throw new Error(`${text}: ${read.error.message}`);
  return evaluateLiveQuery(read.query, processes).map((r) => r.pid);
};

describe('runningNowQuery', () => {
  it('filters processes by the whole path of a path rule, or by the name Linux keeps (15 characters)', () => {
    expect(runningNowQuery({ fileName: '/usr/bin/gimp-2.10' })).toBe(
      'processes\n| where command startswith "/usr/bin/gimp-2.10"\n| project user, pid, command',
    );
    expect(run('/usr/bin/gimp-2.10')).toEqual([1]);
    expect(run('gimp-2.10')).toEqual([1]);
    expect(run('pycharm-professional')).toEqual([2]);
    // A pattern before the last part: the name still tells.
    expect(run('/snap/*/*/bin/pycharm-professional')).toEqual([2]);
    expect(run('vim')).toEqual([]);
  });

  it('offers none where the last part is a pattern, and quotes what the language would misread', () => {
    expect(runningNowQuery({ fileName: '/opt/*/bin/*' })).toBeNull();
    expect(runningNowQuery({ fileName: 'code-?' })).toBeNull();
    const text = runningNowQuery({ fileName: 'we"ird\\name' })!;
    expect(readLiveQuery(text).error).toBeUndefined();
    expect(text).toContain('name = "we\\"ird\\\\name"');
  });
});
