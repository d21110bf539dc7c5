import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { renderDescription } from '../reporting/catalog';
import type { ProgramAction } from './status-filter-rule.schema';
import type { StatusMessageRecord } from '../reporting/status-message.schema';

/** A message as the program action sees it (dates may be ISO strings after the inbox). */
export type ProgramMessage = StatusMessageRecord;

/**
 * Placeholders a command's arguments may contain, after the console Sitebox is modelled on:
 * %msgid, %msgsev, %msgtype, %msgsrc, %sitecode, %msgsys, %msgcomp, %msgdesc, %msguid,
 * %msgtime and %msgis01..%msgis10 (insertion strings).
 */
const PLACEHOLDER = /%(msgis\d{2}|msgid|msgsev|msgtype|msgsrc|sitecode|msgsys|msgcomp|msgdesc|msguid|msgtime)/g;

function placeholderValue(name: string, message: ProgramMessage): string | undefined {
  if (name.startsWith('msgis')) return message.insertionStrings?.[Number(name.slice(5)) - 1] ?? '';
  switch (name) {
    case 'msgid':
      return String(message.messageId);
    case 'msgsev':
      return message.severity;
    case 'msgtype':
      return message.type;
    case 'msgsrc':
      return message.source;
    case 'sitecode':
      return message.siteCode;
    case 'msgsys':
      return message.systemName;
    case 'msgcomp':
      return message.component;
    case 'msgdesc':
      return renderDescription(message);
    case 'msguid':
      return message.uid;
    case 'msgtime':
      return new Date(message.sourceTime).toISOString();
    default:
      return undefined;
  }
}

/**
 * The argv for a command action: each configured argument with its placeholders replaced,
 * in one pass, inside that same argument. Message text never becomes a separate argument,
 * never meets a shell and is never substituted twice, so `; rm -rf /` or `$(...)` in an
 * insertion string is just text in one argument. Pure.
 */
export function substituteArguments(args: readonly string[], message: ProgramMessage): string[] {
  return args.map((arg) => arg.replace(PLACEHOLDER, (whole, name: string) => (placeholderValue(name, message) ?? whole).replace(/\0/g, '')));
}

export interface ProgramRunner {
  run(item: { ruleName: string; program: ProgramAction; message: ProgramMessage }): void;
  /** Waits for running and queued programs (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * Runs programs off Status Manager's path: a few at a time, a bounded queue (beyond it a run
 * is dropped and logged, so a flood cannot pile up processes), a timeout for each. Commands run
 * with execFile (no shell) and a minimal environment, so the server's secrets stay out of them.
 */
export function createProgramRunner(options: { log: Logger; maxConcurrent?: number; maxQueued?: number; fetch?: typeof fetch }): ProgramRunner {
  const maxConcurrent = options.maxConcurrent ?? 4;
  const maxQueued = options.maxQueued ?? 1000;
  const doFetch = options.fetch ?? fetch;
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  let idleWaiters: (() => void)[] = [];

  const pump = () => {
    while (running < maxConcurrent && queue.length) {
      const job = queue.shift()!;
      running++;
      void job().finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0 && !queue.length) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };

  const execute = async ({ ruleName, program, message }: Parameters<ProgramRunner['run']>[0]) => {
    const log = options.log.child({ rule: ruleName, uid: message.uid });
    try {
      if (program.kind === 'command') {
        const argv = substituteArguments(program.args, message);
        await new Promise<void>((resolve, reject) => {
          execFile(
            program.file,
            argv,
            {
              shell: false,
              timeout: program.timeoutSeconds * 1000,
              maxBuffer: 64 * 1024,
              env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8', NODE_ENV: process.env.NODE_ENV },
            },
            (error: Error | null) => (error ? reject(error) : resolve()),
          );
        });
      } else {
        const response = await doFetch(program.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ rule: ruleName, description: renderDescription(message), message }),
          signal: AbortSignal.timeout(program.timeoutSeconds * 1000),
        });
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      }
      log.debug({ kind: program.kind }, 'program action ran');
    } catch (error) {
      log.warn({ err: error, kind: program.kind }, 'program action failed');
    }
  };

  return {
    run(item) {
      if (queue.length >= maxQueued) {
        options.log.warn({ rule: item.ruleName, uid: item.message.uid }, 'program action queue full; run dropped');
        return;
      }
      queue.push(() => execute(item));
      pump();
    },
    idle() {
      if (running === 0 && !queue.length) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
