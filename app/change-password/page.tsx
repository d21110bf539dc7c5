import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ChangePasswordForm } from '@/components/auth/change-password-form';
import { currentSession } from '@/lib/auth/current-session';
import { returnPath } from '@/lib/auth/return-path';

export const metadata: Metadata = { title: 'Change password' };

export default async function ChangePasswordPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect('/sign-in');
  const { next } = await searchParams;
  const target = returnPath(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">Change your password</h1>
        <p className="mt-1 text-sm text-slate-500">
          {session.mustChangePassword
            ? `Welcome, ${session.principal.userName}. Choose your own password before you continue.`
            : `Signed in as ${session.principal.userName}.`}
        </p>
        <ChangePasswordForm next={target} />
      </div>
    </main>
  );
}
