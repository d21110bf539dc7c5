import type { ClientPolicy } from '../policy/client-policy';

// Keyed by the rules array one read of policy gave: every device of a site shares it.
const printedRules = new WeakMap<readonly unknown[], Buffer>();

/**
 * A policy answer over the channel as the UTF-8 bytes of its JSON (`{"policy":…}`), for agents
 * that ask for it (`answerAsBytes`); socket.io sends them as a binary attachment.
 *
 * After a Download Computer Policy on a collection every client asks at once, and each answer
 * carries the same metering rules (500 rules are some 75 KB). Answered as an object, socket.io
 * walked each one for binary parts and printed it whole, client by client: the largest item of
 * the server's main thread while the flood's first acknowledgements waited for it. Here the rules
 * of one read are printed once and shared, only the rest is printed per client, and the bytes go
 * to the socket as they are.
 */
export function policyAnswerBytes(policy: ClientPolicy): Buffer {
  const { metering, ...rest } = policy;
  const { rules, ...meteringRest } = metering;
  let printed = printedRules.get(rules);
  if (!printed) {
    printed = Buffer.from(JSON.stringify(rules));
    printedRules.set(rules, printed);
  }
  return Buffer.concat([HEAD, printed, Buffer.from(`${members(meteringRest)}}${members(rest)}}}`)]);
}

const HEAD = Buffer.from('{"policy":{"metering":{"rules":');

/** An object's members as JSON, each after a comma (`,"a":1,"b":2`), or nothing for none. */
function members(value: object): string {
  const json = JSON.stringify(value);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}
