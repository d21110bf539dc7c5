import { describe, expect, it } from 'vitest';
import { evaluateLiveQuery, mergeDeviceSummaries, type Row } from '@/lib/live-query/evaluate-query';
import { readLiveQuery } from '@/lib/live-query/validate-query';

const read = (text: string) => {
  const result = readLiveQuery(text);
  if (result.error) throw new Error(`${result.error.message} at ${result.error.offset}`);
  return result.query;
};

const processes: Row[] = [
  { pid: 1, name: 'systemd', user: 'root', cpu: 0.1, memoryMb: 12, command: '/sbin/init' },
  { pid: 812, name: 'postgres', user: 'postgres', cpu: 12.5, memoryMb: 300, command: 'postgres -D /var/lib' },
  { pid: 813, name: 'postgres', user: 'postgres', cpu: 3, memoryMb: 150, command: 'postgres: writer' },
  { pid: 900, name: 'node', user: 'alice', cpu: 40, memoryMb: 500, command: 'node server.js' },
  { pid: 901, name: 'bash', user: 'alice', cpu: 0, memoryMb: 5, command: 'bash' },
];

describe('live query validation', () => {
  it('refuses unknown entities, columns and mismatched types, pointing at them', () => {
    expect(readLiveQuery('proceses | take 1').error).toMatchObject({
      offset: 0,
      length: 8,
      message: expect.stringContaining('Unknown entity "proceses"'),
    });
    expect(readLiveQuery('processes | where cpuu > 1').error).toMatchObject({
      offset: 18,
      length: 4,
      message: expect.stringContaining('Unknown column "cpuu"'),
    });
    expect(readLiveQuery('processes | where name > 1').error).toMatchObject({ offset: 18, message: expect.stringContaining('compares numbers') });
    expect(readLiveQuery('processes | where cpu = "high"').error).toMatchObject({ offset: 24, message: '"cpu" is number; the value is string' });
    expect(readLiveQuery('processes | where pid contains "1"').error?.message).toContain('compares text');
    // After project or summarize only what they leave can be named.
    expect(readLiveQuery('processes | project name | where cpu > 1').error).toMatchObject({
      offset: 33,
      message: expect.stringContaining('known here: name'),
    });
    expect(readLiveQuery('processes | summarize count() by user | order by cpu').error).toMatchObject({ offset: 49 });
    expect(readLiveQuery('processes | summarize sum(name)').error?.message).toContain('needs a number column');
    expect(readLiveQuery('file | take 1').error?.message).toContain('needs a path');
    expect(readLiveQuery('file("etc/x")').error?.message).toContain('absolute');
    expect(readLiveQuery('os("x")').error?.message).toContain('takes no argument');
    expect(readLiveQuery('processes | take 0').error?.message).toContain('from 1 to 100000');
    expect(readLiveQuery('packages | summarize count() by source | order by count desc').error).toBeUndefined();
    // A number past what a double holds exactly would be compared as another (or as Infinity).
    expect(readLiveQuery(`processes | where cpu > ${'9'.repeat(400)}`).error).toMatchObject({
      offset: 24,
      length: 400,
      message: 'The number is beyond ±9007199254740991, past which numbers are not compared exactly',
    });
    expect(readLiveQuery('processes | where pid = -9007199254740992').error?.offset).toBe(24);
    expect(readLiveQuery('processes | where pid != -9007199254740991 and cpu < 0.000000000000000000001').error).toBeUndefined();
  });
});

describe('live query evaluation', () => {
  it('filters, projects, orders and takes', () => {
    const query = read('processes | where cpu >= 3 and not user = "ROOT" | project name, cpu | order by cpu desc | take 2');
    expect(evaluateLiveQuery(query, processes)).toEqual([
      { name: 'node', cpu: 40 },
      { name: 'postgres', cpu: 12.5 },
    ]);
    expect(evaluateLiveQuery(read('processes | where command contains "POSTGRES" or name endswith "sh" | project pid'), processes)).toEqual([
      { pid: 812 },
      { pid: 813 },
      { pid: 901 },
    ]);
  });

  it('summarizes on each device, and the server merges the devices’ summaries into the summary of all rows', () => {
    const query = read('processes | summarize count(), sum(memoryMb), max(cpu) by user | order by count desc, user | take 2');
    const deviceA = evaluateLiveQuery(query, processes.slice(0, 3));
    const deviceB = evaluateLiveQuery(query, processes.slice(3));
    // A device keeps every group (its summary is partial): the order and take run on the server.
    expect(deviceA).toEqual([
      { user: 'root', count: 1, sum_memoryMb: 12, max_cpu: 0.1 },
      { user: 'postgres', count: 2, sum_memoryMb: 450, max_cpu: 12.5 },
    ]);
    const merged = mergeDeviceSummaries(query, [deviceA, deviceB, evaluateLiveQuery(query, processes.slice(1, 2))]);
    expect(merged).toEqual([
      { user: 'postgres', count: 3, sum_memoryMb: 750, max_cpu: 12.5 },
      { user: 'alice', count: 2, sum_memoryMb: 505, max_cpu: 40 },
    ]);
    expect(mergeDeviceSummaries(read('processes | take 1'), [deviceA])).toBeNull();
  });
});
