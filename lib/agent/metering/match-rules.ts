import type { MeteringPolicyRule } from '../../protocol/metering-policy.schema';

/** What the agent knows of one running program when it matches rules. */
export interface RunningProgram {
  /** Absolute path of the executable, when known (else the command name alone). */
  filePath: string;
}

/**
 * A wildcard pattern as a regular expression over the whole text: `*` any run of characters and
 * `?` one character — neither crossing a `/`, as in a shell, so "/opt/*\/bin/code" names one
 * folder level. Everything else is literal and case-sensitive, as Linux file names are.
 */
export function wildcardPattern(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'u');
}

const baseName = (filePath: string) => filePath.slice(filePath.lastIndexOf('/') + 1);

/**
 * Whether a rule's file name names this program: a name without `/` ("firefox", "code-*") is
 * matched against the executable's own name, a path ("/opt/*\/bin/code") against its whole path.
 * The original file name (a Windows version resource) is not read on Linux and so not compared.
 */
export function fileNameMatches(rule: Pick<MeteringPolicyRule, 'fileName'>, program: RunningProgram, patterns = new Map<string, RegExp>()): boolean {
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
  patterns?: Map<string, RegExp>;
}): Promise<{ rule: MeteringPolicyRule; version: string }[]> {
  const byName = options.rules.filter((rule) => fileNameMatches(rule, options.program, options.patterns));
  if (!byName.length) return [];
  const version = await options.versionOf(options.program.filePath);
  return byName.filter((rule) => versionMatches(rule, version)).map((rule) => ({ rule, version: version ?? '' }));
}
