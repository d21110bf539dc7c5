import pino from 'pino';
import pretty from 'pino-pretty';

/**
 * Where log lines go: on a terminal, one readable line each (time, level, message, fields);
 * otherwise JSON lines, for whatever collects them. SITEBOX_LOG_FORMAT=json|pretty overrides.
 */
export function logDestination(options: { isTTY: boolean; format?: string }): pino.DestinationStream | undefined {
  const readable = options.format ? options.format === 'pretty' : options.isTTY;
  if (!readable) return undefined;
  return pretty({
    colorize: options.isTTY,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'hostname,pid,proc,component',
    messageFormat: '{proc}[{pid}] {if component}{component}: {end}{msg}',
    singleLine: true,
    sync: true,
  });
}

/** Structured logs; child loggers carry the component or request. */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL || 'info',
    base: { pid: process.pid, proc: process.env.SITEBOX_PROCESS ?? 'server' },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  logDestination({ isTTY: process.stdout.isTTY === true, format: process.env.SITEBOX_LOG_FORMAT }) ?? pino.destination(1),
);

export function componentLogger(component: string) {
  return logger.child({ component });
}
