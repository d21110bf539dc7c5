import type { Metadata } from 'next';
import { SignInForm } from '@/components/auth/sign-in-form';
import { returnPath } from '@/lib/auth/return-path';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  // Only same-site paths: never bounce a signed-in user to another origin.
  const target = returnPath(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">Sitebox</h1>
        <p className="mt-1 text-sm text-slate-500">Sign in to the site console</p>
        <SignInForm next={target} />
      </div>
    </main>
  );
}
