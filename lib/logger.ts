import pino from 'pino';

/** Structured JSON logs; child loggers carry the component or request. */
export const logger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { pid: process.pid, proc: process.env.SITEBOX_PROCESS ?? 'server' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function componentLogger(component: string) {
  return logger.child({ component });
}

