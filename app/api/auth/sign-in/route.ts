import { NextResponse } from 'next/server';
import { reportAudit } from '@/lib/audit/report-audit';
import { isHttps, setSessionCookies } from '@/lib/auth/session-cookies';
import { signIn } from '@/lib/auth/sign-in';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { signInRateLimit } from '@/lib/http/rate-limits';
import { signInSchema } from '@/lib/users/user.schema';

export const POST = route({ auth: 'none', body: signInSchema, rateLimit: signInRateLimit }, async ({ body, req, address }) => {
  const userAgent = req.headers.get('user-agent') ?? '';
  try {
    const result = await signIn({ ...body, address, userAgent });
    await reportAudit({ kind: 'signedIn', userName: result.userName, address, objectType: 'ConsoleUser', objectName: result.userName });
    const response = NextResponse.json({ userName: result.userName, mustChangePassword: result.mustChangePassword });
    setSessionCookies(response, { ...result, secure: isHttps(req) });
    return response;
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') {
      await reportAudit({ kind: 'signInFailed', userName: body.userName, address, objectType: 'ConsoleUser', objectName: body.userName });
    }
    throw error;
  }
});
