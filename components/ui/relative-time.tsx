'use client';

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 hours ago", with the exact time on hover. */
export function RelativeTime({ iso, empty = 'Never' }: { iso: string | null; empty?: string }) {
  if (!iso) return <span className="text-slate-400">{empty}</span>;
  const date = new Date(iso);
  // eslint-disable-next-line react-hooks/purity -- relative to the moment of rendering, on purpose
  const diff = date.getTime() - Date.now();
  const [unit, ms] = units.find(([, size]) => Math.abs(diff) >= size) ?? ['minute', 60_000];
  return (
    <time dateTime={iso} title={date.toLocaleString()} suppressHydrationWarning>
      {Math.abs(diff) < 60_000 ? 'just now' : format.format(Math.round(diff / ms), unit)}
    </time>
  );
}
