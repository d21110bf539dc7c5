// The console speaks English; one rule set, so server-written and browser-written text agree.
const rules = new Intl.PluralRules('en-US');
// One formatter for every count: Number#toLocaleString builds its formatter anew on each call.
const counts = new Intl.NumberFormat('en-US');

// Whole numbers, the common case, answered without Intl: its calls cost microseconds each, and an
// agent describes every action it performs with a count (the English rule set says "one" for 1
// and -1 only, and prints counts below 1,000 without separators).

/** `one` or `other` as English grammar wants it after `count` ("1 setting", "2 settings"). */
export function pluralWord(count: number, one: string, other = `${one}s`): string {
  if (Number.isInteger(count)) return count === 1 || count === -1 ? one : other;
  return rules.select(count) === 'one' ? one : other;
}

/** The count and its noun: `plural(1, 'setting')` is "1 setting", `plural(1200, 'entry', 'entries')` "1,200 entries". */
export function plural(count: number, one: string, other = `${one}s`): string {
  const text = Number.isInteger(count) && count >= 0 && count < 1000 ? String(count) : counts.format(count);
  return `${text} ${pluralWord(count, one, other)}`;
}
