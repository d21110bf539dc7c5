import { CircleCheck, OctagonAlert, TriangleAlert } from 'lucide-react';
import type { SiteColour } from '@/lib/summarizers/evaluate-thresholds';
import type { Health } from '@/lib/summarizers/summarizer.schema';

const look: Record<Health, { Icon: typeof CircleCheck; className: string; label: string }> = {
  OK: { Icon: CircleCheck, className: 'text-emerald-600', label: 'OK' },
  WARNING: { Icon: TriangleAlert, className: 'text-amber-500', label: 'Warning' },
  CRITICAL: { Icon: OctagonAlert, className: 'text-red-600', label: 'Critical' },
};

/** A status icon with its word, so colour is never the only signal. */
export function HealthIcon({ health, withLabel = false }: { health: Health; withLabel?: boolean }) {
  const { Icon, className, label } = look[health];
  return (
    <span className={`inline-flex items-center gap-1 ${className}`} data-health={health} title={label}>
      <Icon aria-hidden className="h-4 w-4" />
      <span className={withLabel ? 'text-xs font-medium' : 'sr-only'}>{label}</span>
    </span>
  );
}

const colourHealth: Record<SiteColour, Health> = { green: 'OK', yellow: 'WARNING', red: 'CRITICAL' };
export const healthOfColour = (colour: SiteColour) => colourHealth[colour];
