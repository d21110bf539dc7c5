import type { MeteringPolicyRule } from '../../protocol/metering-policy.schema';

/** What the agent knows of one running program when it matches rules. */
export interface RunningProgram {
  /** Absolute path of the executable, when known (else the command name alone). */
  filePath: string;
}

/** A compiled wildcard pattern (see wildcardPattern). */
export interface WildcardPattern {
  test(text: string): boolean;
}

/**
 * A wildcard pattern over the whole text: `*` any run of characters and `?` one character —
 * neither crossing a `/`, as in a shell, so "/opt/*\/bin/code" names one folder level. Everything
 * else is literal and case-sensitive, as Linux file names are. Matched folder level by folder
 * level in time proportional to pattern × text: as a regular expression, "*a*a*a*a*a*a*b" took
 * seconds against a 60-character name (each more star multiplying it), holding the agent's loop.
 */
export function wildcardPattern(pattern: string): WildcardPattern {
  const levels = pattern.split('/').map((level) => [...level]);
  return {
    test(text) {
      const parts = text.split('/');
      return parts.length === levels.length && levels.every((level, i) => levelMatches(level, [...parts[i]]));
    },
  };
}

/** One folder level against a pattern of literal characters, `?` and `*`: on a mismatch, only the last `*` takes one more character. */
function levelMatches(pattern: readonly string[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === text[t]))) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

const baseName = (filePath: string) => filePath.slice(filePath.lastIndexOf('/') + 1);

/**
 * Whether a rule's file name names this program: a name without `/` ("firefox", "code-*") is
 * matched against the executable's own name, a path ("/opt/*\/bin/code") against its whole path.
 * The original file name (a Windows version resource) is not read on Linux and so not compared.
 */
export function fileNameMatches(
  rule: Pick<MeteringPolicyRule, 'fileName'>,
  program: RunningProgram,
  patterns = new Map<string, WildcardPattern>(),
): boolean {
  let pattern = patterns.get(rule.fileName);
  if (!pattern) patterns.set(rule.fileName, (pattern = wildcardPattern(rule.fileName)));
  return pattern.test(rule.fileName.includes('/') ? program.filePath : baseName(program.filePath));
}

/** Whether a rule's version ("*" any, else a wildcard pattern) names `version`; an unknown version matches "*" alone. */
export function versionMatches(rule: Pick<MeteringPolicyRule, 'version'>, version: string | null): boolean {
  if (rule.version === '*') return true;
  return version !== null && wildcardPattern(rule.version).test(version);
}

/**
 * The rules a running program is metered by: every enabled rule whose file name and version name
 * it. `versionOf` is asked only when a rule whose file name matches needs a version (looking one
 * up in the package database costs more than a name comparison).
 */
export async function matchingRules(options: {
  rules: readonly MeteringPolicyRule[];
  program: RunningProgram;
  versionOf: (filePath: string) => Promise<string | null>;
  patterns?: Map<string, WildcardPattern>;
}): Promise<{ rule: MeteringPolicyRule; version: string }[]> {
  const byName = options.rules.filter((rule) => fileNameMatches(rule, options.program, options.patterns));
  if (!byName.length) return [];
  const version = await options.versionOf(options.program.filePath);
  return byName.filter((rule) => versionMatches(rule, version)).map((rule) => ({ rule, version: version ?? '' }));
}
