import { z } from 'zod';
import { getDeploymentOrThrow } from '@/lib/deployments/list-deployments';
import { route } from '@/lib/http/route';

const params = z.object({ id: z.coerce.number().int().positive() });

export const GET = route({ permission: 'readConsole', params }, async ({ params }) => getDeploymentOrThrow(params.id));
