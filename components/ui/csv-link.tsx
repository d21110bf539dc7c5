import { Download } from 'lucide-react';
import { buttonClass } from './button';

/** A small button-like link that downloads a list whole as CSV, set to the right of its row. */
export function CsvLink({ href, label = 'CSV' }: { href: string; label?: string }) {
  return (
    <a href={href} download className={buttonClass({ size: 'xs', className: 'ml-auto inline-flex shrink-0 items-center gap-1' })}>
      <Download size={12} aria-hidden /> {label}
    </a>
  );
}
