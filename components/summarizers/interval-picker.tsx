'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { displayIntervalLabels, displayIntervalSchema, localHourSchema, type DisplayInterval } from '@/lib/summarizers/summarizer.schema';
import { intervalParamsFrom } from './interval-params';
import type { IntervalParams } from './use-summaries';

/** The view's site and interval, as kept in the URL (so a link or Back shows the same counts). */
export function useIntervalParams(): IntervalParams {
  return intervalParamsFrom(useSearchParams());
}

/**
 * Display interval chooser: the site's setting by default, or one of the four intervals; a
 * chosen date and time is a whole hour of the site's clock.
 */
export function IntervalPicker({ current, timeZone }: { current?: { kind: DisplayInterval; localStart: string | null }; timeZone?: string }) {
  const url = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = useIntervalParams();
  const [since, setSince] = useState(params.since ?? current?.localStart ?? '');
  const [error, setError] = useState<string | null>(null);
  const errorId = `${useId()}-error`;
  useEffect(() => {
    if (params.since) setSince(params.since);
  }, [params.since]);

  const go = (next: Record<string, string | null>) => {
    const s = new URLSearchParams(url.toString());
    for (const [k, v] of Object.entries(next)) {
      if (v === null) s.delete(k);
      else s.set(k, v);
    }
    router.replace(`${pathname}?${s}`, { scroll: false });
  };

  return (
    <div className="flex flex-wrap items-end gap-2 text-xs text-slate-600">
      <label className="flex flex-col">
        Display interval
        <Select
          value={params.interval ?? ''}
          onChange={(e) => {
            const value = e.target.value;
            setError(null);
            if (value === 'SINCE_DATE') {
              const start = since.slice(0, 13) + ':00';
              if (localHourSchema.safeParse(start).success) go({ interval: value, since: start });
              else go({ interval: value, since: null });
            } else go({ interval: value || null, since: null });
          }}
        >
          <option value="">Site setting{current && !params.interval ? ` (${displayIntervalLabels[current.kind].toLowerCase()})` : ''}</option>
          {displayIntervalSchema.options.map((k) => (
            <option key={k} value={k}>
              {displayIntervalLabels[k]}
            </option>
          ))}
        </Select>
      </label>
      {params.interval === 'SINCE_DATE' && (
        <form
          className="flex items-end gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            const start = since.length >= 13 ? since.slice(0, 13) + ':00' : since;
            const parsed = localHourSchema.safeParse(start);
            if (!parsed.success) return setError(parsed.error.issues[0].message);
            setError(null);
            go({ since: parsed.data });
          }}
        >
          <label className="flex flex-col">
            Since ({timeZone ?? 'site time'})
            <Input
              type="datetime-local"
              step={3600}
              value={since}
              onChange={(e) => setSince(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
            />
          </label>
          <Button type="submit" size="xs">
            Apply
          </Button>
        </form>
      )}
      {error && (
        <span id={errorId} className="text-red-700" role="alert">
          Since {error}
        </span>
      )}
    </div>
  );
}
