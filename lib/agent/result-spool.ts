import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { operationPushSchema, operationResultSchema, type OperationPush, type OperationResult } from '../protocol/agent-protocol.schema';
import { writeFileAtomic } from './write-file-atomic';

/** A push the agent took on and had no result for when it last stopped. */
export interface UnfinishedOperation {
  push: OperationPush;
  receivedAt: number;
}

/** What an earlier run of the agent left in the folder. */
export interface SpoolContents {
  results: OperationResult[];
  unfinished: UnfinishedOperation[];
  /** Files that could not be read (torn by a crash mid-write on a file system that allows it, or foreign): set aside. */
  setAside: string[];
}

const RESULT = /^(\d+)\.json$/;
const TAKEN = /^(\d+)\.push\.json$/;
const takenSchema = z.object({ push: operationPushSchema, receivedAt: z.number().finite() });

/**
 * The client operations the agent took on and the results the site has not confirmed storing,
 * one file each in the agent's state folder. A push is written (`<id>.push.json`) before the agent
 * says it arrived, its result (`<id>.json`) before the result is first sent, and both go once the
 * management point stores the result. So a restart of the agent (a service restart, a reboot, a
 * crash) loses neither a result nor the knowledge that an action was under way: the site marks a
 * target Delivered once the agent says so and never pushes it again.
 */
export function createResultSpool(dir: string) {
  const resultFile = (operationId: number) => path.join(dir, `${operationId}.json`);
  const pushFile = (operationId: number) => path.join(dir, `${operationId}.push.json`);
  const readJson = (name: string) =>
    readFile(path.join(dir, name), 'utf8')
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => null);
  const removeFile = (file: string) =>
    unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });

  return {
    /** What an earlier run left: its results, the pushes it had no result for, and what could not be read. */
    async load(): Promise<SpoolContents> {
      const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      const contents: SpoolContents = { results: [], unfinished: [], setAside: [] };
      const unreadable: string[] = [];
      for (const name of names.filter((n) => RESULT.test(n))) {
        const parsed = operationResultSchema.safeParse(await readJson(name));
        if (parsed.success) contents.results.push(parsed.data);
        else unreadable.push(name);
      }
      const withResult = new Set(contents.results.map((r) => r.operationId));
      for (const name of names.filter((n) => TAKEN.test(n))) {
        const parsed = takenSchema.safeParse(await readJson(name));
        if (!parsed.success) unreadable.push(name);
        else if (withResult.has(parsed.data.push.operationId)) await removeFile(path.join(dir, name));
        else contents.unfinished.push(parsed.data);
      }
      // Read once and warned of once: a file that cannot be read is renamed out of the way.
      for (const name of unreadable) {
        await rename(path.join(dir, name), path.join(dir, `${name}.unreadable`)).catch(() => undefined);
        contents.setAside.push(name);
      }
      return contents;
    },
    /** The push was taken on: kept until its result is stored. */
    async begin(push: OperationPush, receivedAt: number): Promise<void> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(pushFile(push.operationId), JSON.stringify({ push, receivedAt } satisfies UnfinishedOperation));
    },
    async save(result: OperationResult): Promise<void> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(resultFile(result.operationId), JSON.stringify(result));
    },
    async remove(operationId: number): Promise<void> {
      await removeFile(resultFile(operationId));
      await removeFile(pushFile(operationId));
    },
  };
}

export type ResultSpool = ReturnType<typeof createResultSpool>;
