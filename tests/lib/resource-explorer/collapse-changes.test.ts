// The comparison of two inventory reports: the changes in between, netted per package and class.
import { describe, expect, it } from 'vitest';
import { collapseChanges } from '@/lib/resource-explorer/collapse-changes';
import { changes } from '../../support/inventory-fixture';

const pkg = (name: string, version: string, arch = 'amd64') => ({ name, version, arch });

describe('collapseChanges', () => {
  it('is empty for no reports', () => {
    expect(collapseChanges([])).toEqual({ hardware: [], software: { added: [], removed: [], upgraded: [] }, partial: false });
  });

  it('keeps one report as it is, sorted by name', () => {
    const result = collapseChanges([
      changes({
        added: [pkg('zsh', '5.9'), pkg('curl', '8.5')],
        removed: [pkg('nano', '7.2')],
        upgraded: [{ name: 'bash', arch: 'amd64', from: '5.1', to: '5.2' }],
      }),
    ]);
    expect(result.software).toEqual({
      added: [pkg('curl', '8.5'), pkg('zsh', '5.9')],
      removed: [pkg('nano', '7.2')],
      upgraded: [{ name: 'bash', arch: 'amd64', from: '5.1', to: '5.2' }],
    });
  });

  it('drops a package added then removed, and one removed then added back', () => {
    const result = collapseChanges([
      changes({ added: [pkg('htop', '3.3')], removed: [pkg('vim', '9.1')] }),
      changes({ removed: [pkg('htop', '3.3')] }),
      changes({ added: [pkg('vim', '9.1')] }),
    ]);
    expect(result.software).toEqual({ added: [], removed: [], upgraded: [] });
  });

  it('chains upgrades into one and drops an upgrade undone', () => {
    const result = collapseChanges([
      changes({
        upgraded: [
          { name: 'openssl', arch: 'amd64', from: '3.0.1', to: '3.0.2' },
          { name: 'git', arch: 'amd64', from: '2.43', to: '2.44' },
        ],
      }),
      changes({ upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.2', to: '3.0.3' }] }),
      changes({ upgraded: [{ name: 'git', arch: 'amd64', from: '2.44', to: '2.43' }] }),
    ]);
    expect(result.software).toEqual({ added: [], removed: [], upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.1', to: '3.0.3' }] });
  });

  it('pairs a removal and an addition of one name and architecture from different reports as an upgrade', () => {
    const result = collapseChanges([changes({ removed: [pkg('python3', '3.11')] }), changes({ added: [pkg('python3', '3.12')] })]);
    expect(result.software).toEqual({ added: [], removed: [], upgraded: [{ name: 'python3', arch: 'amd64', from: '3.11', to: '3.12' }] });
  });

  it('keeps other architectures and several versions at once as added and removed', () => {
    const result = collapseChanges([
      changes({
        removed: [pkg('libc6', '2.38', 'amd64')],
        added: [pkg('libc6', '2.39', 'i386'), pkg('kernel', '6.1', 'x86_64'), pkg('kernel', '6.2', 'x86_64')],
      }),
    ]);
    expect(result.software).toEqual({
      added: [pkg('kernel', '6.1', 'x86_64'), pkg('kernel', '6.2', 'x86_64'), pkg('libc6', '2.39', 'i386')],
      removed: [pkg('libc6', '2.38', 'amd64')],
      upgraded: [],
    });
  });

  it('collapses hardware classes by their first and last state, in the protocol order', () => {
    const result = collapseChanges([
      changes({
        hardware: [
          { className: 'disk', change: 'changed', before: 1, after: 2 },
          { className: 'loggedOnUser', change: 'added', before: 0, after: 1 },
          { className: 'networkAdapter', change: 'added', before: 0, after: 1 },
          { className: 'memory', change: 'removed', before: 2, after: 0 },
        ],
      }),
      changes({
        hardware: [
          { className: 'disk', change: 'changed', before: 2, after: 3 },
          { className: 'loggedOnUser', change: 'removed', before: 1, after: 0 },
          { className: 'memory', change: 'added', before: 0, after: 4 },
          { className: 'processor', change: 'changed', before: 1, after: 1 },
        ],
      }),
    ]);
    expect(result.hardware).toEqual([
      { className: 'processor', change: 'changed', before: 1, after: 1 },
      { className: 'memory', change: 'changed', before: 2, after: 4 },
      { className: 'disk', change: 'changed', before: 1, after: 3 },
      { className: 'networkAdapter', change: 'added', before: 0, after: 1 },
    ]);
  });

  it('says the result is partial when a baseline lies in the range', () => {
    expect(collapseChanges([changes({ added: [pkg('a', '1')] })]).partial).toBe(false);
    expect(collapseChanges([changes({ baseline: true }), changes({ added: [pkg('a', '1')] })]).partial).toBe(true);
  });
});
