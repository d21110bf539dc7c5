// The status-flood benchmark's simulated clients, in a process of their own (forked by
// bench/status-flood.ts, running at a lower CPU priority: on a real network each client has its
// own machine, so their work should not take the server's CPU). Each is a StatusReporter with
// its own disk spool. Gets the plan ("prepare"), makes its messages, answers "ready", waits for "go", reports
// and flushes, then answers "accepted" with what the clients' requests met (FloodClientCounts).
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

/** What the clients' requests met, counted around each reporter's fetch. */
export interface FloodClientCounts {
  requests: number;
  answered503: number;
  /** Requests that failed without an answer (refused connection, reset, timeout): the server may have taken them. */
  unanswered: number;
  /** Answers other than 2xx and 503. */
  otherErrors: number;
  /** Requests carrying at least one message an earlier request had carried. */
  retriedRequests: number;
  /** Messages sent again, counted per sending. */
  resentMessages: number;
  /** Of those, the ones whose previous sending got no answer: the only ones Status Manager may see twice. */
  resentAfterNoAnswer: number;
}

const UID = /"uid":"([0-9a-f-]{36})"/g;

/** A fetch for the reporters that counts what each request met and which messages it carried again. */
function countingFetch(counts: FloodClientCounts): typeof fetch {
  // Each message's last sending: answered (any status) or not.
  const lastSending = new Map<string, 'answered' | 'unanswered'>();
  return async (input, init) => {
    const uids = [...String(init?.body ?? '').matchAll(UID)].map((m) => m[1]);
    counts.requests++;
    let again = 0;
    for (const uid of uids) {
      const last = lastSending.get(uid);
      if (last === undefined) continue;
      again++;
      if (last === 'unanswered') counts.resentAfterNoAnswer++;
    }
    counts.resentMessages += again;
    if (again) counts.retriedRequests++;
    try {
      const response = await fetch(input, init);
      if (response.status === 503) counts.answered503++;
      else if (!response.ok) counts.otherErrors++;
      for (const uid of uids) lastSending.set(uid, 'answered');
      return response;
    } catch (error) {
      counts.unanswered++;
      for (const uid of uids) lastSending.set(uid, 'unanswered');
      throw error;
    }
  };
}

process.on('message', (message: StartMessage) => {
  if (message.type !== 'prepare') return;
  void run(message).then(
    (result) => process.send?.({ type: 'accepted', ...result }),
    (error) => process.send?.({ type: 'failed', message: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function run({ plan, authorizations, url, spoolRoot, spreadMs }: StartMessage): Promise<{ counts: FloodClientCounts }> {
  os.setPriority(10);
  const counts: FloodClientCounts = {
    requests: 0,
    answered503: 0,
    unanswered: 0,
    otherErrors: 0,
    retriedRequests: 0,
    resentMessages: 0,
    resentAfterNoAnswer: 0,
  };
  const counted = countingFetch(counts);
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
      fetch: counted,
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
  return { counts };
}
