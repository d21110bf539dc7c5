/**
 * A live query that lists the processes of a rule's program running now on the devices it is
 * sent to: metering counts a run once it has ended and been uploaded, so "who has it open right
 * now" is a question for the machines themselves. Null when the rule's file name cannot be turned
 * into a process filter (a pattern in its last part).
 */
export function runningNowQuery(rule: { fileName: string }): string | null {
  const path = rule.fileName.trim();
  const base = path.split('/').pop() ?? '';
  if (!base || /[*?]/.test(base)) return null;
  // A whole path without a pattern names the executable; else its name, which Linux keeps to 15 characters.
  const filter =
    path.startsWith('/') && !/[*?]/.test(path) ? `command startswith ${JSON.stringify(path)}` : `name = ${JSON.stringify(base.slice(0, 15))}`;
  return `processes\n| where ${filter}\n| project user, pid, command`;
}
