import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plural } from '../plural';
import { endMarkedProcesses } from './end-marked-processes';
import { SCRIPT_OUTPUT_LIMIT, type ActionResultDetail, type ScriptRun } from '../protocol/agent-protocol.schema';

type ScriptResult = NonNullable<ActionResultDetail['script']>;

/** How long the output may still come once the script and what it left running are ended. */
const STREAM_DRAIN_MS = 2_000;

/** Keeps the first `limit` characters of a stream and whether more came. */
class CappedText {
  private text = '';
  truncated = false;
  constructor(private readonly limit: number) {}
  add(chunk: string) {
    if (this.text.length >= this.limit) {
      if (chunk.length) this.truncated = true;
      return;
    }
    const room = this.limit - this.text.length;
    if (chunk.length > room) this.truncated = true;
    this.text += chunk.slice(0, room);
  }
  get value() {
    return this.text;
  }
}

/**
 * Runs a pushed script. `fetchText` gets the text from the management point; it runs only if its
 * SHA-256 is the hash the push named (else refused, never run). The values go to bash as
 * positional arguments and as SITEBOX_PARAM_<name> variables through spawn's argument array and
 * environment — never through a shell command line. The script runs in a process group of its
 * own, killed whole at the timeout or on cancel, and whatever it started that still runs when it
 * ends (in its group or not) is ended with it; stdout and stderr are kept up to
 * SCRIPT_OUTPUT_LIMIT characters each, truncation marked.
 */
export async function runScript(options: {
  script: ScriptRun;
  fetchText: (contentHash: string) => Promise<string>;
  signal: AbortSignal;
  shell?: string;
}): Promise<{ outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; message: string; script?: ScriptResult }> {
  const { script, signal } = options;
  const text = await options.fetchText(script.contentHash);
  const actual = createHash('sha256').update(text, 'utf8').digest('hex');
  if (actual !== script.contentHash) {
    return {
      outcome: 'FAILED',
      message: `Refused: the script text received does not match the approved content hash ${script.contentHash.slice(0, 12)}.`,
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sitebox-script-'));
  const file = path.join(dir, 'script.sh');
  try {
    await writeFile(file, text, { mode: 0o700 });
    // Inherited by every process the script starts: how those that leave its group are found.
    const runId = randomUUID();
    const env: NodeJS.ProcessEnv = { ...process.env, SITEBOX_SCRIPT_NAME: script.name, SITEBOX_SCRIPT_RUN: runId };
    for (const a of script.arguments) env[`SITEBOX_PARAM_${a.name}`] = a.value;
    const stdout = new CappedText(SCRIPT_OUTPUT_LIMIT);
    const stderr = new CappedText(SCRIPT_OUTPUT_LIMIT);
    const child = spawn(options.shell ?? 'bash', [file, ...script.arguments.map((a) => a.value)], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (c: string) => stdout.add(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => stderr.add(c));
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, script.timeoutSeconds * 1000);
    signal.addEventListener('abort', killGroup, { once: true });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    });
    const streamsClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const ended = await exited.finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', killGroup);
    });
    // The run ends with the script: what it started and left running is ended too — its process
    // group, and by the marker in their environment those that left the group (setsid, a double
    // fork). Otherwise one of them holding stdout would keep the run, and its result, waiting
    // past any timeout, and it would outlive the run.
    const leftRunning = await endMarkedProcesses(`SITEBOX_SCRIPT_RUN=${runId}`, { exceptPid: child.pid });
    killGroup();
    // A process that also cleared its environment may still hold the streams: read what is there.
    const drained = await Promise.race([streamsClosed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STREAM_DRAIN_MS))]);
    if (!drained) {
      child.stdout.destroy();
      child.stderr.destroy();
    }
    const result: ScriptResult = {
      exitCode: ended.code,
      signal: ended.signal,
      timedOut,
      stdout: stdout.value,
      stderr: stderr.value,
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
    };
    const left = leftRunning ? `; ${plural(leftRunning, 'process', 'processes')} it left running ${leftRunning === 1 ? 'was' : 'were'} ended` : '';
    if (signal.aborted && !timedOut) return { outcome: 'CANCELLED', message: 'Cancelled before it finished.', script: result };
    if (timedOut)
      return { outcome: 'FAILED', message: `Timed out after ${script.timeoutSeconds} s; the script's processes were killed.`, script: result };
    if (ended.code === 0) return { outcome: 'SUCCEEDED', message: `${script.name} exited with code 0${left}.`, script: result };
    const how = ended.code === null ? `was killed by ${ended.signal}` : `exited with code ${ended.code}`;
    return { outcome: 'FAILED', message: `${script.name} ${how}${left}.`, script: result };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
