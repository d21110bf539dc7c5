import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegisterDeviceInput } from '../protocol/registration.schema';
import { httpRequest } from './http';
import { agentCredentialSchema, registrationAnswerSchema, type AgentCredential } from '../protocol/policy.schema';

/**
 * The agent's credential: read from `<stateDir>/credential.json`, or obtained by registering
 * with the management point (POST /api/mp/register) and kept there (mode 0600) for next time.
 */
export async function loadOrRegisterCredential(options: {
  managementPointUrl: string;
  stateDir: string;
  identity: RegisterDeviceInput;
  /** For an https management point: the pinned site certificate authority. */
  tls?: { ca: string[] };
}): Promise<{ credential: AgentCredential; registered: boolean; approval?: 'PENDING' | 'APPROVED' }> {
  const file = path.join(options.stateDir, 'credential.json');
  try {
    const credential = agentCredentialSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    return { credential, registered: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file} is not a credential this agent wrote: remove it to register again`);
  }
  const answer = await httpRequest({
    url: new URL('/api/mp/register', options.managementPointUrl).toString(),
    method: 'POST',
    body: JSON.stringify(options.identity),
    tls: options.tls,
  });
  if (answer.status !== 200 && answer.status !== 201) {
    let message = answer.body.slice(0, 500);
    try {
      message = (JSON.parse(answer.body) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the raw text says it
    }
    throw new Error(`registration refused (${answer.status}): ${message}`);
  }
  const registration = registrationAnswerSchema.parse(JSON.parse(answer.body));
  const credential: AgentCredential = { deviceId: registration.deviceId, secret: registration.secret, name: options.identity.name };
  await mkdir(options.stateDir, { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(credential), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return { credential, registered: true, approval: registration.approval };
}
