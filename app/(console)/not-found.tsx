import type { Metadata } from 'next';
import { NotFoundNotice } from '@/components/shell/not-found-notice';

export const metadata: Metadata = { title: 'Not found' };

/** A console page whose object does not exist (a deleted device, a rule id that never was), inside the console frame. */
export default function ConsoleNotFound() {
  return (
    <div className="flex justify-center pt-16">
      <NotFoundNotice />
    </div>
  );
}
