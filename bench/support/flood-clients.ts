// The status-flood benchmark's simulated clients, in a process of their own (forked by
// bench/status-flood.ts, running at a lower CPU priority: on a real network each client has its
// own machine, so their work should not take the server's CPU). Each is a StatusReporter with
// its own disk spool. Gets the plan ("prepare"), makes its messages, answers "ready", waits for "go", reports
// and flushes, then answers "accepted".
import os from 'node:os';
import path from 'node:path';
import { createStatusReporter } from '../../lib/agent/status-reporter';
import { clientMessages, type FloodPlan } from './flood-messages';

interface StartMessage {
  type: 'prepare';
  plan: FloodPlan;
  /** Each client's device credential (the Authorization header value), in plan.devices order. */
  authorizations: string[];
  url: string;
  spoolRoot: string;
  /** Each client starts at a random moment within this many milliseconds. */
  spreadMs: number;
}

process.on('message', (message: StartMessage) => {
  if (message.type !== 'prepare') return;
  void run(message).then(
    (result) => process.send?.({ type: 'accepted', ...result }),
    (error) => process.send?.({ type: 'failed', message: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function run({ plan, authorizations, url, spoolRoot, spreadMs }: StartMessage) {
  os.setPriority(10);
  const reporters = plan.devices.map((device, i) =>
    createStatusReporter({
      managementPointUrl: url,
      spoolDir: path.join(spoolRoot, String(i)),
      device,
      headers: () => ({ authorization: authorizations[i] }),
      maxBatchMessages: Math.min(500, plan.perClient),
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      requestTimeoutMs: 120_000,
    }),
  );
  // Untimed: each client has made its acknowledgements and spooled them, as an agent does
  // before its sender runs. The timed part is the sending.
  for (let i = 0; i < reporters.length; i++) await reporters[i].report(clientMessages(plan, i));
  process.send?.({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  await Promise.all(
    reporters.map(async (reporter) => {
      await new Promise((r) => setTimeout(r, Math.random() * spreadMs));
      await reporter.flush();
    }),
  );
  await Promise.all(reporters.map((r) => r.stop()));
  return {};
}
