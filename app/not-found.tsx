import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { NotFoundNotice } from '@/components/shell/not-found-notice';

export const metadata: Metadata = { title: 'Not found' };

/**
 * An address that is no page. Rendered for each request (reading the address makes it so),
 * which also gives its scripts the request's CSP nonce: a prerendered page's would be refused.
 */
export default async function NotFound() {
  const path = (await headers()).get('x-pathname') ?? '/';
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <NotFoundNotice path={path} />
    </main>
  );
}
