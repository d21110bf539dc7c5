import { z } from 'zod';
import { route } from '@/lib/http/route';
import { editScript } from '@/lib/scripts/edit-script';
import { removeScript } from '@/lib/scripts/remove-script';
import { findScriptOrThrow } from '@/lib/scripts/repo';
import { scriptEditSchema } from '@/lib/scripts/script.schema';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

export const GET = route({ permission: 'readConsole', params }, async ({ params }) => findScriptOrThrow(params.id));

/** Replaces the script; any approval is withdrawn. `baseUpdatedAt`, when sent, must be the current version (else 409). */
export const PUT = route({ permission: 'editScripts', params, body: scriptEditSchema, maxBodyBytes: 1024 * 1024 }, async ({ params, body, actor }) =>
  editScript({ actor, id: params.id, input: body }),
);

export const DELETE = route({ permission: 'editScripts', params }, async ({ params, actor }) => {
  await removeScript({ actor, id: params.id });
  return { deleted: true };
});
