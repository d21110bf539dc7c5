import { Construction } from 'lucide-react';

/** An honest placeholder for a page whose feature has not been built yet. */
export function NotAvailable({ feature }: { feature: string }) {
  return (
    <div role="note" className="flex items-start gap-3 rounded border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
      <Construction className="mt-0.5 shrink-0 text-amber-600" size={20} aria-hidden />
      <div>
        <p className="font-medium text-slate-800">Not available yet</p>
        <p className="mt-1">{feature}</p>
      </div>
    </div>
  );
}
