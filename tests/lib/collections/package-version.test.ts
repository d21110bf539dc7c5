// Package version order as dpkg and rpm define it: the cases of dpkg's and rpm's own test suites
// and Debian Policy's examples, plus the real-world shapes an inventory reports.
import { describe, expect, it } from 'vitest';
import {
  compareDebianVersions,
  comparePackageVersions,
  compareRpmVersions,
  compareVersionText,
  rpmvercmp,
  satisfies,
} from '@/lib/collections/package-version';

/** [a, b, expected sign of a compared with b] */
type Case = [string, string, -1 | 0 | 1];

describe('compareDebianVersions', () => {
  const cases: Case[] = [
    // equality, and what is equal without being the same text
    ['1.0', '1.0', 0],
    ['0:1.0', '1.0', 0],
    ['1.0', '1.0-0', 0],
    ['1.001', '1.1', 0],
    ['1:2.30-1', '1:2.30-1', 0],
    // numbers by value, of any length
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1.2.10', '1.2.9', 1],
    ['1.20230101000000000000', '1.9', 1],
    ['1.20230101000000000000', '1.20230101000000000001', -1],
    // epochs outrank everything after them
    ['1:0.1', '9.9', 1],
    ['2:1.0', '1:9.9', 1],
    ['10:1.0', '9:1.0', 1],
    // revisions
    ['1.0-1', '1.0-2', -1],
    ['1.0-2', '1.0-10', -1],
    ['1.0', '1.0-1', -1],
    ['1.0-1ubuntu1', '1.0-1', 1],
    ['2.36-9+deb12u4', '2.36-9', 1],
    ['2.36-9+deb12u4', '2.36-9+deb12u10', -1],
    // the upstream part may hold hyphens: the revision is after the last one
    ['1.2-3-4', '1.2-3-5', -1],
    ['1.2-3-4', '1.2-4-1', -1],
    // ~ sorts before anything, even the end (Debian Policy: ~~ < ~~a < ~ < "" < a)
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~~', '1.0~~a', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0a', -1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['3.0.11-1~deb12u2', '3.0.11-1~deb12u3', -1],
    ['1.0-1~bpo1', '1.0-1', -1],
    // letters before other characters; the end before letters
    ['1.0a', '1.0+', -1],
    ['1.0+dfsg', '1.0', 1],
    ['1.0.a', '1.0a', 1],
    ['1.0', '1.0.0', -1],
    // real package versions
    ['2.7.4-0ubuntu1.6', '2.7.4-0ubuntu1.10', -1],
    ['1:9.18.19-1~deb12u1', '1:9.18.24-1', -1],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
    ['252.22-1~deb12u1', '252.30-1~deb12u2', -1],
  ];
  it.each(cases)('%s vs %s → %i', (a, b, expected) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
    expect(compareDebianVersions(b, a)).toBe(-expected || 0);
  });

  it('is a total order on what an inventory may report, even versions dpkg would refuse', () => {
    const odd = ['', 'abc', 'x:1.0', ':1', '1:', '-', '1.0-', '~', '1..2', 'ä1'];
    for (const a of odd) {
      expect(compareDebianVersions(a, a)).toBe(0);
      for (const b of odd) expect(compareDebianVersions(a, b)).toBe(-compareDebianVersions(b, a) || 0);
    }
    // A "colon" part that is not an epoch stays in the version.
    expect(compareDebianVersions('x:1.0', 'x:1.1')).toBe(-1);
  });
});

describe('rpmvercmp (rpm test suite)', () => {
  const cases: Case[] = [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p1', '5.5p10', -1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', '8', -1],
    ['xyz.4', '2', -1],
    ['5.5p2', '5.6p1', -1],
    ['5.6p1', '6.5p1', -1],
    ['6.0.rc1', '6.0', 1],
    ['10b2', '10a1', 1],
    ['10a2', '10b2', -1],
    ['1.0a', '1.0aa', -1],
    ['10.0001', '10.1', 0],
    ['10.0001', '10.0039', -1],
    ['4.999.9', '5.0', -1],
    ['20101121', '20101122', -1],
    ['2_0', '2.0', 0],
    ['a+', 'a_', 0],
    ['+a', '_a', 0],
    ['_+', '+_', 0],
    ['+', '_', 0],
    ['1b.fc17', '1.fc17', -1],
    ['1g.fc17', '1.fc17', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1', '1.01', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^20160102', '1.0^20160101^git1', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0^git1', '1.0^git1~pre', 1],
  ];
  it.each(cases)('%s vs %s → %i', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
    expect(rpmvercmp(b, a)).toBe(-expected || 0);
  });
});

describe('compareRpmVersions', () => {
  it('compares epoch, version, then release only when both sides have one', () => {
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.7')).toBe(0);
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.7-28.el9')).toBe(-1);
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.8')).toBe(-1);
    expect(compareRpmVersions('1:3.0.1-1.el9', '3.0.7-27.el9')).toBe(1);
    expect(compareRpmVersions('0:3.0.7', '3.0.7')).toBe(0);
    expect(compareRpmVersions('5.14.0-362.8.1.el9_3', '5.14.0-70.13.1.el9_0')).toBe(1);
  });

  it('orders where dpkg would not: numbers after letters, separators ignored', () => {
    expect(compareRpmVersions('1.0a', '1.0.1')).toBe(-1);
    expect(compareDebianVersions('1.0a', '1.0.1')).toBe(-1);
    expect(compareRpmVersions('1_0', '1.0')).toBe(0);
    expect(compareDebianVersions('1_0', '1.0')).toBe(1);
  });
});

describe('comparePackageVersions', () => {
  it("uses the comparison of the product's package manager", () => {
    expect(comparePackageVersions('1_0', '1.0', 'rpm')).toBe(0);
    expect(comparePackageVersions('1_0', '1.0', 'dpkg')).toBe(1);
  });
});

describe('compareVersionText', () => {
  it('orders operating system releases by their numbers', () => {
    expect(compareVersionText('9.3', '22.04')).toBe(-1);
    expect(compareVersionText('22.04', '22.04.1')).toBe(-1);
    expect(compareVersionText('22.10', '22.04.3 LTS')).toBe(1);
    expect(compareVersionText('10.0.19045', '10.0.22631')).toBe(-1);
    expect(compareVersionText(' 12 ', '12')).toBe(0);
  });
});

describe('satisfies', () => {
  it('reads a comparison result through each operator', () => {
    const table = (c: number) => (['<', '<=', '=', '>=', '>'] as const).map((op) => satisfies(c, op));
    expect(table(-1)).toEqual([true, true, false, false, false]);
    expect(table(0)).toEqual([false, true, true, true, false]);
    expect(table(1)).toEqual([false, false, false, true, true]);
  });
});
