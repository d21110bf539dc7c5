import { describe, expect, it } from 'vitest';
import { clamavFailureReason, parseClamavOutput } from '@/lib/agent/scan/parse-clamav-output';

describe('parseClamavOutput', () => {
  it('reads each FOUND line and the summary counts', () => {
    const report = parseClamavOutput(
      [
        '/home/ann/Downloads/setup: version 2.exe: Win.Trojan.Agent-1 FOUND',
        '/tmp/x.bin: Sitebox.Test.Signature.UNOFFICIAL FOUND',
        '',
        '----------- SCAN SUMMARY -----------',
        'Known viruses: 1',
        'Scanned directories: 2',
        'Scanned files: 17',
        'Infected files: 2',
      ].join('\n'),
    );
    expect(report).toEqual({
      itemsScanned: 17,
      threatsFound: 2,
      threats: [
        { path: '/home/ann/Downloads/setup: version 2.exe', signature: 'Win.Trojan.Agent-1' },
        { path: '/tmp/x.bin', signature: 'Sitebox.Test.Signature.UNOFFICIAL' },
      ],
    });
  });

  it('counts every threat but keeps the first 50', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `/tmp/f${i}: Test.Sig FOUND`);
    const report = parseClamavOutput([...lines, 'Infected files: 60'].join('\n'));
    expect(report.threatsFound).toBe(60);
    expect(report.threats).toHaveLength(50);
    expect(report.itemsScanned).toBeUndefined();
  });

  it('names the errors in standard error, not the per-file warnings', () => {
    expect(
      clamavFailureReason(
        "WARNING: /x: Can't access file\nLibClamAV Error: cl_load(): No such file or directory: /db\nERROR: Can't open file or directory",
      ),
    ).toBe("LibClamAV Error: cl_load(): No such file or directory: /db ERROR: Can't open file or directory");
    expect(clamavFailureReason("WARNING: /x: Can't access file")).toBeNull();
  });
});
