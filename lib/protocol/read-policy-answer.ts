import { isPlainObject } from '../validation/primitives';

/**
 * The policy a server's answer to a policy request over the channel holds (not yet parsed): the
 * answer's `policy`, from the answer itself or, when the agent asked for bytes (`answerAsBytes`),
 * from the JSON those bytes are. Undefined when it holds none (an answer naming an error). Bytes
 * that are not JSON throw.
 */
export function readPolicyAnswer(answer: unknown): unknown {
  const body: unknown = answer instanceof Uint8Array || answer instanceof ArrayBuffer ? JSON.parse(utf8.decode(answer)) : answer;
  return isPlainObject(body) ? body.policy : undefined;
}

const utf8 = new TextDecoder();
