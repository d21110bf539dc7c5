// Generated edits of an object for property tests that hold a fast validator to its schema: one or
// two fields each set to one of its generated values, or removed.
import fc from 'fast-check';

const REMOVE = Symbol('remove');
type Change = [key: string, value: unknown];

/** One or two changes: a field of `fields` set to one of its values, or a field of `removable` taken out. */
export function fieldChanges(fields: Record<string, fc.Arbitrary<unknown>>, removable: readonly string[]): fc.Arbitrary<Change[]> {
  const change = fc.oneof(
    ...Object.entries(fields).map(([key, value]) => value.map((v): Change => [key, v])),
    fc.constantFrom(...removable).map((key): Change => [key, REMOVE]),
  );
  return fc.array(change, { minLength: 1, maxLength: 2 });
}

/** A copy of `base` with `changes` made. */
export function withChanges(base: Record<string, unknown>, changes: readonly Change[]): Record<string, unknown> {
  const copy = { ...base };
  for (const [key, value] of changes) {
    if (value === REMOVE) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}
