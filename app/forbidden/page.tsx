import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not allowed' };
// Rendered for each request, so its scripts carry the request's CSP nonce (a prerendered page's are refused).
export const dynamic = 'force-dynamic';

export default function ForbiddenPage() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <div className="max-w-md rounded-lg border border-slate-200 bg-white p-8 text-sm shadow-sm">
        <h1 className="text-lg font-semibold text-slate-900">Your security role does not allow this page</h1>
        <p className="mt-2 text-slate-600">Ask a Full Administrator if you need access.</p>
        <Link href="/" className="mt-4 inline-block text-blue-700 hover:underline">
          Back to the console
        </Link>
      </div>
    </main>
  );
}
