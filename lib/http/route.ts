import { randomUUID } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import type { Logger } from 'pino';
import { z, type ZodType } from 'zod';
import { parse as parseCookies } from 'cookie';
import { permissions, type Permission } from '../auth/roles';
import { CSRF_HEADER, resolveSession, SESSION_COOKIE, type SessionContext } from '../auth/sessions';
import { sameSecret } from '../auth/tokens';
import { authenticateDevice, type AuthenticatedDevice } from '../devices/authenticate-device';
import { AppError } from '../errors';
import { logger } from '../logger';
import type { Actor } from '../users/actor';
import { findUnstorable } from '../validation/primitives';
import { CLIENT_ADDRESS_HEADER } from './client-address';
import { errorAnswer } from './error-answer';
import { consume, type RateLimit } from './rate-limits';
import { readJsonBody } from './read-body';
import { isSameOrigin } from './same-origin';

export interface RouteOptions<Q extends ZodType, B extends ZodType, P extends ZodType> {
  /** Who may call: a signed-in console user (default), a registered device, or anyone. */
  auth?: 'session' | 'device' | 'none';
  /** For console users: the permission their role must grant (default: any signed-in user). */
  permission?: Permission;
  /** Let a user who still owes a password change through (the change itself, "who am I"). */
  allowPendingPasswordChange?: boolean;
  query?: Q;
  body?: B;
  params?: P;
  /** Largest accepted body (default 1 MiB). */
  maxBodyBytes?: number;
  rateLimit?: RateLimit;
}

export interface RouteContext<Q, B, P> {
  req: NextRequest;
  log: Logger;
  requestId: string;
  /** The caller's network address. */
  address: string;
  query: Q;
  body: B;
  params: P;
  /** The console session (auth "session" only). */
  session: SessionContext;
  /** Who acts, for audit messages (auth "session" only). */
  actor: Actor;
  /** The calling device (auth "device" only). */
  device: AuthenticatedDevice;
}

type Infer<T> = T extends ZodType ? z.infer<T> : undefined;
type Handler<Q, B, P> = (ctx: RouteContext<Q, B, P>) => Promise<unknown>;
type NextContext = { params: Promise<Record<string, string | string[]>> };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one wrapper for every route handler: authenticates (session cookie + CSRF token, or
 * device credential), checks the role, rate-limits, validates query/params/body with zod,
 * gives the handler a request logger, and maps errors to JSON: ZodError → 400 naming each
 * field, AppError → its status, anything else → 500 without internals.
 * A handler returns data (sent as JSON) or a Response of its own.
 */
export function route<Q extends ZodType = never, B extends ZodType = never, P extends ZodType = never>(
  options: RouteOptions<Q, B, P>,
  handler: Handler<Infer<Q>, Infer<B>, Infer<P>>,
) {
  return async (req: NextRequest, next?: NextContext): Promise<Response> => {
    const requestId = req.headers.get('x-request-id')?.slice(0, 64) || randomUUID();
    const url = new URL(req.url);
    const log = logger.child({ requestId, method: req.method, path: url.pathname });
    const address = req.headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
    try {
      const auth = options.auth ?? 'session';
      checkOrigin(req, url);
      let session: SessionContext | undefined;
      let device: AuthenticatedDevice | undefined;
      if (auth === 'session') {
        session = await authenticateSession(req, options);
      } else if (auth === 'device') {
        device = await authenticateDevice(req.headers.get('authorization'));
      }
      if (options.rateLimit) await consume(options.rateLimit, device ? `device:${device.id}` : address);

      const rawParams = next ? await next.params : {};
      const params = options.params ? options.params.parse(refuseUnstorable(rawParams)) : undefined;
      const query = options.query ? parseQuery(options.query, url.searchParams) : undefined;
      const body = options.body ? options.body.parse(refuseUnstorable(await readJsonBody(req, options.maxBodyBytes ?? 1024 * 1024))) : undefined;

      const ctx = {
        req,
        log,
        requestId,
        address,
        query: query as Infer<Q>,
        body: body as Infer<B>,
        params: params as Infer<P>,
        get session() {
          return session ?? misuse('session');
        },
        get actor(): Actor {
          const s = session ?? misuse('session');
          return { principal: s.principal, address, sessionId: s.sessionId };
        },
        get device() {
          return device ?? misuse('device');
        },
      } satisfies RouteContext<Infer<Q>, Infer<B>, Infer<P>>;
      const result = await handler(ctx);
      if (result instanceof Response) return result;
      return NextResponse.json(result ?? null, { headers: { 'Cache-Control': 'no-store' } });
    } catch (error) {
      return errorResponse(error, log, requestId);
    }
  };
}

async function authenticateSession(req: NextRequest, options: RouteOptions<ZodType, ZodType, ZodType>) {
  const session = await resolveSession({ token: parseCookies(req.headers.get('cookie') ?? '')[SESSION_COOKIE] });
  if (!session) throw new AppError('UNAUTHENTICATED');
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers.get(CSRF_HEADER) ?? '';
    if (!sameSecret(sent, session.csrfToken)) {
      throw new AppError('FORBIDDEN', { userMessage: 'The request lacks a valid CSRF token. Reload the page and try again.' });
    }
  }
  if (session.mustChangePassword && !options.allowPendingPasswordChange) {
    throw new AppError('FORBIDDEN', { userMessage: 'Change your password before you continue.', details: { mustChangePassword: true } });
  }
  if (options.permission && !permissions[options.permission](session.principal)) {
    throw new AppError('FORBIDDEN', { userMessage: 'Your security role does not allow this.' });
  }
  return session;
}

/** A browser's cross-site request says so in Origin; refuse changes that come from elsewhere. */
function checkOrigin(req: NextRequest, url: URL) {
  if (SAFE_METHODS.has(req.method)) return;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? url.host;
  if (!isSameOrigin({ origin: req.headers.get('origin'), host }))
    throw new AppError('FORBIDDEN', { userMessage: 'Cross-site requests are refused.' });
}

/**
 * The last line behind each schema's own checks: text no column can hold (NUL, an unpaired
 * surrogate, in a name or a value) anywhere in the input is a 400 naming where it is.
 */
function refuseUnstorable<T>(input: T): T {
  const found = findUnstorable(input, MAX_INPUT_DEPTH);
  if (!found) return input;
  const field = { path: found.path.map(String).join('.'), message: found.message };
  throw new AppError('BAD_REQUEST', { userMessage: `${field.path || 'request'}: ${field.message}`, details: { fields: [field] } });
}

/**
 * The query string through its schema. A parameter given several times reaches the schema as the
 * list of its values (a list filter takes them all), never as its last value alone; one the
 * schema takes once is refused naming it, instead of the other values being dropped unseen.
 */
function parseQuery<Q extends ZodType>(schema: Q, params: URLSearchParams): Infer<Q> {
  const raw = refuseUnstorable(
    Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key).length > 1 ? params.getAll(key) : params.get(key)])),
  );
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data as Infer<Q>;
  const repeated = (issue: z.core.$ZodIssue) =>
    issue.path.length === 1 && Array.isArray(raw[String(issue.path[0])]) && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  throw new z.ZodError(parsed.error.issues.map((issue) => (repeated(issue) ? { ...issue, message: 'is given more than once' } : issue)));
}

// Deep enough for every document the console sends (site settings, filter rules); JSON nested deeper is refused.
const MAX_INPUT_DEPTH = 32;

function misuse(what: string): never {
  throw new Error(`route handler used ctx.${what} without auth "${what}"`);
}

export function errorResponse(error: unknown, log: Logger, requestId: string): Response {
  const answer = errorAnswer(error, log, requestId);
  return NextResponse.json(answer.body, { status: answer.status, headers: answer.headers });
}
