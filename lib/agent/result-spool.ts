import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { operationResultSchema, type OperationResult } from '../protocol/agent-protocol.schema';
import { writeFileAtomic } from './write-file-atomic';

/**
 * The results of client operations the site has not confirmed storing, one file each in the
 * agent's state folder: written before the result is first sent and removed once the management
 * point stores it, so a result survives a restart of the agent (a service restart, a reboot, a
 * crash) and is sent after it.
 */
export function createResultSpool(dir: string) {
  const file = (operationId: number) => path.join(dir, `${operationId}.json`);
  return {
    /** What an earlier run left: every readable result (a torn or foreign file is skipped). */
    async load(): Promise<OperationResult[]> {
      const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      const results: OperationResult[] = [];
      for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
        const parsed = operationResultSchema.safeParse(
          await readFile(path.join(dir, name), 'utf8')
            .then((text) => JSON.parse(text) as unknown)
            .catch(() => null),
        );
        if (parsed.success) results.push(parsed.data);
      }
      return results;
    },
    async save(result: OperationResult): Promise<void> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(file(result.operationId), JSON.stringify(result));
    },
    async remove(operationId: number): Promise<void> {
      await unlink(file(operationId)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

export type ResultSpool = ReturnType<typeof createResultSpool>;
