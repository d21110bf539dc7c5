import { AppError } from '../errors';
import type { ScriptRun } from '../protocol/agent-protocol.schema';
import { findScriptOrThrow } from './repo';
import { validateScriptArguments } from './validate-script-arguments';

/**
 * What a Run Script push carries: the script's approved text named by its hash, its timeout and
 * the argument values checked against its parameters. Refused while the script awaits approval
 * (409) and for values that break a rule (400 naming `script.arguments.<parameter>`).
 */
export async function resolveScriptRun(options: { scriptId: number; arguments: Record<string, string | number | boolean> }): Promise<ScriptRun> {
  const script = await findScriptOrThrow(options.scriptId);
  if (!script.approval)
    throw new AppError('CONFLICT', {
      userMessage: `The script ${script.name} is not approved; another user must approve its current text before it runs.`,
      details: { fields: [{ path: 'script.scriptId', message: 'is not approved' }] },
    });
  const checked = validateScriptArguments({ parameters: script.parameters, values: options.arguments });
  if (!checked.ok)
    throw new AppError('BAD_REQUEST', {
      userMessage: `${checked.problems[0].name} ${checked.problems[0].message}`,
      details: { fields: checked.problems.map((p) => ({ path: `script.arguments.${p.name}`, message: p.message })) },
    });
  return { name: script.name, contentHash: script.contentHash, timeoutSeconds: script.timeoutSeconds, arguments: checked.values };
}
