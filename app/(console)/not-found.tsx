import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { NotFoundNotice } from '@/components/shell/not-found-notice';

export const metadata: Metadata = { title: 'Not found' };

/** A console page whose object does not exist (a deleted device, a rule id that never was), inside the console frame. */
export default async function ConsoleNotFound() {
  const path = (await headers()).get('x-pathname') ?? '/';
  return (
    <div className="flex justify-center pt-16">
      <NotFoundNotice path={path} />
    </div>
  );
}
