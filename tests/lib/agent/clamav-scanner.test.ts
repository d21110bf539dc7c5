import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../notification/fleet';
import { clamavCommand, clamavScanner } from '@/lib/agent/scan/clamav-scanner';
import { scanSettingsSchema, scanSettingsWithPolicy } from '@/lib/agent/scan/scan-settings';

/** The ids of this process's clamscan children. */
const clamscanChildren = () => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'clamscan'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

describe('clamavScanner', () => {
  it('passes folders as arguments after --, excluding kernel file systems, and leaves out folders that do not exist', async () => {
    const settings = scanSettingsSchema.parse({ database: '/srv/sigs', quickPaths: ['/tmp', '/no/such/folder', '/etc'] });
    expect(await clamavCommand(settings, 'QUICK')).toEqual({
      program: 'clamscan',
      args: [
        '--recursive',
        '--infected',
        '--stdout',
        '--database=/srv/sigs',
        '--exclude-dir=^/proc(/|$)',
        '--exclude-dir=^/sys(/|$)',
        '--exclude-dir=^/dev(/|$)',
        '--exclude-dir=^/run(/|$)',
        '--',
        '/tmp',
        '/etc',
      ],
      paths: ['/tmp', '/etc'],
    });
    await expect(clamavCommand(scanSettingsSchema.parse({ quickPaths: ['/no/such/folder'] }), 'QUICK')).rejects.toThrow(
      'none of the folders to scan exists (/no/such/folder)',
    );
  });

  it('stops the scanner process when the action is cancelled', async () => {
    // A scan of /usr without loadable signatures would fail at once; an empty signature folder
    // is refused too, so it gets one harmless signature that matches nothing there.
    const db = await mkdtemp(path.join(os.tmpdir(), 'sitebox-sigs-'));
    await writeFile(path.join(db, 'none.hdb'), '00000000000000000000000000000000:1:Sitebox.Test.Nothing\n');
    try {
      const work = new AbortController();
      const scan = clamavScanner(scanSettingsSchema.parse({ database: db, quickPaths: ['/usr'] }))('QUICK', work.signal);
      const [child] = await eventually(
        async () => clamscanChildren(),
        (ids) => ids.length > 0,
      );
      work.abort();
      await expect(scan).rejects.toThrow('cancelled before it finished');
      expect(clamscanChildren()).not.toContain(child);
    } finally {
      await rm(db, { recursive: true, force: true });
    }
  });
});

describe('scan paths from policy', () => {
  const site = { quickPaths: ['/home', '/srv/uploads'], fullPaths: ['/', '/mnt/data'], exclusions: ['/proc', '/sys'] };

  it('uses the site’s scan paths where the configuration names none, and the defaults without either', async () => {
    const settings = scanSettingsWithPolicy(scanSettingsSchema.parse({ database: '/srv/sigs' }), site);
    expect(settings).toMatchObject({ quickPaths: site.quickPaths, fullPaths: site.fullPaths, exclude: site.exclusions });
    const command = await clamavCommand(settings, 'FULL');
    expect(command.args).toContain('--exclude-dir=^/sys(/|$)');
    expect(command.args).not.toContain('--exclude-dir=^/dev(/|$)');
    expect(scanSettingsWithPolicy(scanSettingsSchema.parse({}), null)).toMatchObject({
      quickPaths: ['/home', '/root', '/tmp', '/var/tmp'],
      fullPaths: ['/'],
    });
  });

  it('keeps the paths this machine’s configuration names', () => {
    expect(scanSettingsWithPolicy(scanSettingsSchema.parse({ quickPaths: ['/opt/inbox'] }), site)).toMatchObject({
      quickPaths: ['/opt/inbox'],
      fullPaths: site.fullPaths,
    });
  });
});
