import { Script } from 'node:vm';
import type { ScriptParameter } from './script.schema';

/**
 * How long one value may take to check against a parameter's pattern. A pattern that backtracks
 * catastrophically (`(a+)+` against a long run of a's and a stray letter) would otherwise hold the
 * event loop the console and the management point share for seconds, or hours.
 */
export const PATTERN_CHECK_MS = 100;
const wholeMatch = new Script('pattern.test(text)');

/** Whether `text` matches `pattern` as a whole; null when that takes longer than PATTERN_CHECK_MS. */
function matchesWhole(pattern: string, text: string): boolean | null {
  try {
    // Run where a timeout can stop it: V8 interrupts a regular expression's backtracking there.
    return wholeMatch.runInNewContext({ pattern: new RegExp(`^(?:${pattern})$`, 'u'), text }, { timeout: PATTERN_CHECK_MS }) === true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return null;
    throw error;
  }
}

/**
 * Most UTF-8 bytes of one value, and of all values together. The agent hands each value to bash
 * twice, as an argument and as SITEBOX_PARAM_<name>: Linux refuses to start a program (E2BIG) with
 * one argument or variable over 128 KB, or with about 2 MB of them all, its own environment included.
 */
export const MAX_ARGUMENT_BYTES = 64 * 1024;
export const MAX_ARGUMENTS_BYTES = 256 * 1024;

export interface ArgumentProblem {
  /** The parameter's name. */
  name: string;
  message: string;
}

/**
 * Checks the values given for a run against the script's typed parameters and returns them as
 * text, in parameter order, ready to be handed to the script as arguments and environment —
 * never pasted into its text or a command line. Unknown names and rule breaks are problems.
 */
export function validateScriptArguments(options: {
  parameters: ScriptParameter[];
  values: Record<string, string | number | boolean | undefined>;
}): { ok: true; values: { name: string; value: string }[] } | { ok: false; problems: ArgumentProblem[] } {
  const { parameters, values } = options;
  const problems: ArgumentProblem[] = [];
  const known = new Set(parameters.map((p) => p.name));
  for (const name of Object.keys(values)) if (!known.has(name)) problems.push({ name, message: 'is not a parameter of this script' });
  const out: { name: string; value: string }[] = [];
  let bytes = 0;
  for (const p of parameters) {
    // Own values only: a parameter may be named constructor or toString, which every object has.
    const given = Object.hasOwn(values, p.name) ? values[p.name] : undefined;
    if (given === undefined || given === '') {
      if (p.required) problems.push({ name: p.name, message: 'is required' });
      else out.push({ name: p.name, value: '' });
      continue;
    }
    const problem = checkValue(p, given) ?? checkSize(String(given), bytes);
    bytes += Buffer.byteLength(String(given));
    if (problem) problems.push({ name: p.name, message: problem });
    // A whole number goes as the decimal its range was checked as: bash arithmetic reads "010" as 8.
    else out.push({ name: p.name, value: p.type === 'integer' ? String(Number(given)) : String(given) });
  }
  return problems.length ? { ok: false, problems } : { ok: true, values: out };
}

/** A value too large for bash to be started with, alone or as the one whose bytes take those before it (`before`) past the total. */
function checkSize(text: string, before: number): string | null {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_ARGUMENT_BYTES) return `must be at most ${MAX_ARGUMENT_BYTES / 1024} KB as UTF-8 (this is ${Math.ceil(bytes / 1024)} KB)`;
  return before <= MAX_ARGUMENTS_BYTES && before + bytes > MAX_ARGUMENTS_BYTES
    ? `takes the values past ${MAX_ARGUMENTS_BYTES / 1024} KB as UTF-8 together`
    : null;
}

function checkValue(p: ScriptParameter, given: string | number | boolean): string | null {
  const text = String(given);
  if (text.includes('\0')) return 'must not contain a NUL character';
  switch (p.type) {
    case 'boolean':
      return text === 'true' || text === 'false' ? null : 'must be true or false';
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(text)) return 'must be a whole number';
      const n = Number(text);
      if (p.min !== undefined && n < p.min) return `must be ${p.min} or more`;
      if (p.max !== undefined && n > p.max) return `must be ${p.max} or less`;
      return null;
    }
    case 'choice':
      return p.choices?.includes(text) ? null : `must be one of ${(p.choices ?? []).join(', ')}`;
    case 'string': {
      if (p.maxLength !== undefined && text.length > p.maxLength) return `must be at most ${p.maxLength} characters`;
      if (p.pattern === undefined) return null;
      const matches = matchesWhole(p.pattern, text);
      if (matches === null) return `could not be checked against ${p.pattern} in time (the pattern backtracks too much for this value)`;
      return matches ? null : `must match ${p.pattern}`;
    }
  }
}
