/** The fixed set of failures the API reports, each with its HTTP status. */
export const errorCodes = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

const defaultUserMessages: Record<ErrorCode, string> = {
  BAD_REQUEST: 'The request is not valid.',
  UNAUTHENTICATED: 'Sign in to continue.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'Not found.',
  CONFLICT: 'The object changed or already exists.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  RATE_LIMITED: 'Too many requests; try again later.',
  INTERNAL: 'Something went wrong on the server.',
  UNAVAILABLE: 'The service is busy; try again later.',
};

/**
 * An expected failure. `message` is for logs; `userMessage` is safe to show.
 * `details` (field errors, the conflicting change) is sent to the client as is.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, options: { message?: string; userMessage?: string; details?: unknown; retryAfterSeconds?: number } = {}) {
    super(options.message ?? options.userMessage ?? defaultUserMessages[code]);
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? defaultUserMessages[code];
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return errorCodes[this.code];
  }
}

export function notFoundOrThrow<T>(value: T | null | undefined, what: string): T {
  if (value == null) throw new AppError('NOT_FOUND', { userMessage: `${what} was not found.` });
  return value;
}
