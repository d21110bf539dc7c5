// The console speaks English; one rule set, so server-written and browser-written text agree.
const rules = new Intl.PluralRules('en-US');
// One formatter for every count: Number#toLocaleString builds its formatter anew on each call.
const counts = new Intl.NumberFormat('en-US');

/** `one` or `other` as English grammar wants it after `count` ("1 setting", "2 settings"). */
export function pluralWord(count: number, one: string, other = `${one}s`): string {
  return rules.select(count) === 'one' ? one : other;
}

/** The count and its noun: `plural(1, 'setting')` is "1 setting", `plural(1200, 'entry', 'entries')` "1,200 entries". */
export function plural(count: number, one: string, other = `${one}s`): string {
  return `${counts.format(count)} ${pluralWord(count, one, other)}`;
}
