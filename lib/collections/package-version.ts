/**
 * Package version ordering as the package managers themselves define it. Text and numeric order
 * both get these wrong (`1.10` > `1.9`, `1.0~rc1` < `1.0`, `2:1.0` > `9.9`), and SQL has neither,
 * so collection rules compare versions here, in JavaScript.
 */

/** How a version compares with another: the comparison a "version" rule condition asks for. */
export const versionOps = ['<', '<=', '=', '>=', '>'] as const;
export type VersionOp = (typeof versionOps)[number];

/** Where a package version came from (software_product.source). */
export type PackageSource = 'dpkg' | 'rpm';

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's `order()`: `~` before the end of a part, the end before letters, letters before other characters. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's `verrevcmp`: alternating non-digit runs (by dpkgOrder) and digit runs (numerically, of any length). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return Math.sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i])) return 1;
    if (j < b.length && isDigit(b[j])) return -1;
    if (firstDiff) return Math.sign(firstDiff);
  }
  return 0;
}

interface Evr {
  epoch: string;
  version: string;
  release: string;
}

/**
 * `[epoch:]upstream[-revision]`: the epoch is the digits before the first colon, the revision what
 * follows the last hyphen. A "colon" part that is not all digits is kept in the version, so the
 * comparison stays total on whatever an inventory reported.
 */
function splitEvr(value: string): Evr {
  let rest = value.trim();
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0 ? { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) } : { epoch, version: rest, release: '' };
}

/** Compares two digit strings of any length by value. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return Math.sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Debian version order (dpkg --compare-versions, Debian Policy 5.6.12): epoch numerically, then the
 * upstream version, then the revision, each by dpkg's algorithm. `~` sorts before anything, even the
 * end (`1.0~rc1` < `1.0`); a missing revision equals `0`. Returns -1, 0 or 1.
 */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitEvr(a);
  const y = splitEvr(b);
  return compareDigits(x.epoch, y.epoch) || verrevcmp(x.version, y.version) || verrevcmp(x.release, y.release);
}

/**
 * rpm's `rpmvercmp` on one part: alphanumeric segments, separators ignored; numbers by value and
 * newer than letters; `~` sorts before anything, `^` after the end but before any other segment.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const separator = (c: string) => !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';
  while (i < a.length || j < b.length) {
    while (i < a.length && separator(a[i])) i++;
    while (j < b.length && separator(b[j])) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isAlpha;
    let endA = i;
    while (endA < a.length && inSegment(a[endA])) endA++;
    let endB = j;
    while (endB < b.length && inSegment(b[endB])) endB++;
    // A numeric segment against an alphabetic one: the number is newer.
    if (endB === j) return numeric ? 1 : -1;
    const segA = a.slice(i, endA);
    const segB = b.slice(j, endB);
    const rc = numeric ? compareDigits(segA, segB) : segA < segB ? -1 : segA > segB ? 1 : 0;
    if (rc) return rc;
    i = endA;
    j = endB;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * rpm's EVR order (`rpmverCmp`): epoch (missing = 0), version, then release — the release only when
 * both sides have one, so `openssl < 3.0.7` does not hold for `3.0.7-27.el9`. Returns -1, 0 or 1.
 */
export function compareRpmVersions(a: string, b: string): number {
  const x = splitEvr(a);
  const y = splitEvr(b);
  return compareDigits(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || (x.release && y.release ? rpmvercmp(x.release, y.release) : 0);
}

/**
 * Orders free-form version text such as an operating system's release (`9.3` < `22.04` <
 * `22.04.1`) by dpkg's part algorithm over the whole text: numbers by value, `~` first.
 */
export function compareVersionText(a: string, b: string): number {
  return verrevcmp(a.trim(), b.trim());
}

/** Compares a package's version with another by the rules of the package manager it came from. */
export function comparePackageVersions(a: string, b: string, source: string): number {
  return source === 'rpm' ? compareRpmVersions(a, b) : compareDebianVersions(a, b);
}

/** True when a comparison's result (-1, 0, 1) satisfies `op`. */
export function satisfies(comparison: number, op: VersionOp): boolean {
  const c = comparison;
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
  }
}
