import type { WorkerDefinition } from '../lib/workers/define-worker';
import clientStatusSummarizer from './client-status-summarizer';
import collectionEvaluator from './collection-evaluator';
import deploymentManager from './deployment-manager';
import hierarchyManager from './hierarchy-manager';
import inventoryLoader from './inventory-loader';
import meteringSummarizer from './metering-summarizer';
import siteControlManager from './site-control-manager';
import siteSystemStatusSummarizer from './site-system-status-summarizer';
import notificationManager from './notification-manager';
import statusManager from './status-manager';

/** Every worker `npm start` can supervise and `npm run worker -- <name>` can run. */
export const workers: Record<string, WorkerDefinition> = {
  [clientStatusSummarizer.name]: clientStatusSummarizer,
  [collectionEvaluator.name]: collectionEvaluator,
  [deploymentManager.name]: deploymentManager,
  [notificationManager.name]: notificationManager,
  [statusManager.name]: statusManager,
  [hierarchyManager.name]: hierarchyManager,
  [inventoryLoader.name]: inventoryLoader,
  [meteringSummarizer.name]: meteringSummarizer,
  [siteControlManager.name]: siteControlManager,
  [siteSystemStatusSummarizer.name]: siteSystemStatusSummarizer,
};

export const workerNames = Object.keys(workers);

/** The workers to supervise: all by default, or the comma-separated list in SITEBOX_WORKERS. */
export function selectWorkers(list: string | undefined): string[] {
  if (list === undefined) return workerNames;
  const names = list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !workers[n]);
  if (unknown.length) throw new Error(`SITEBOX_WORKERS names unknown workers: ${unknown.join(', ')}`);
  return names;
}

/** SITEBOX_WORKERS_APART: the workers to run each in its own process (`*`: all), checked like SITEBOX_WORKERS. */
export function workersApart(list: string | undefined): string[] | '*' {
  if (list?.trim() === '*') return '*';
  return list === undefined ? [] : selectWorkers(list);
}
