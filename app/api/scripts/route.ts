import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { createScript } from '@/lib/scripts/create-script';
import { listScripts } from '@/lib/scripts/repo';
import { scriptInputSchema } from '@/lib/scripts/script.schema';

/** The Scripts library, by name. */
export const GET = route({ permission: 'readConsole' }, async () => ({ rows: await listScripts() }));

/** A new script; it runs nowhere until another user approves it. */
export const POST = route({ permission: 'editScripts', body: scriptInputSchema, maxBodyBytes: 1024 * 1024 }, async ({ actor, body }) =>
  NextResponse.json(await createScript({ actor, input: body }), { status: 201 }),
);
