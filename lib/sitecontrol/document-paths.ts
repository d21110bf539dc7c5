import { z } from 'zod';
import { siteControlDocumentSchema } from './site-control.schema';

// A setting is a leaf of the site control document, named by its dotted path. Deltas, conflicts,
// history and diffs all speak in these paths; plain functions over plain objects.

/** One property's move from one serial to the next (or between any two documents). */
export interface PropertyChange {
  path: string;
  before: unknown;
  after: unknown;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
  return s;
}

function collectLeaves(schema: z.ZodType, prefix: string, out: Map<string, z.ZodType>): Map<string, z.ZodType> {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      collectLeaves(child, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix, s);
  }
  return out;
}

/** Every setting's path and the schema its value must satisfy, in document order. */
export const settingLeaves: ReadonlyMap<string, z.ZodType> = collectLeaves(siteControlDocumentSchema, '', new Map());

/** Paths that identify the site rather than configure it; a delta never changes them. */
export const fixedPaths: ReadonlySet<string> = new Set(['site.code']);

export const settingPaths: readonly string[] = [...settingLeaves.keys()];

export function getAt(document: unknown, path: string): unknown {
  let node: unknown = document;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A copy of `document` with `path` set to `value` (objects on the way are copied, not shared). */
export function setAt<T>(document: T, path: string, value: unknown): T {
  const keys = path.split('.');
  const root = { ...(document as Record<string, unknown>) };
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node[key] = child !== null && typeof child === 'object' ? { ...(child as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return root as T;
}

/**
 * Setting values are JSON scalars or lists of them (scan paths); lists are the same when they hold
 * the same values in the same order. Undefined (a missing leaf) differs from everything else.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  }
  return Object.is(a, b);
}

/** The settings that differ between two documents, in document order. */
export function diffDocuments(from: unknown, to: unknown): PropertyChange[] {
  const changes: PropertyChange[] = [];
  for (const path of settingPaths) {
    const before = getAt(from, path);
    const after = getAt(to, path);
    if (!sameValue(before, after)) changes.push({ path, before: before ?? null, after: after ?? null });
  }
  return changes;
}

/** Whether two paths touch the same setting (equal, or one holds the other). */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
