import { describe, expect, it } from 'vitest';
import { createAgentLogger } from '@/lib/agent/agent-logger';

describe('createAgentLogger', () => {
  it('writes one component a line, the agent’s or the part’s own, children of either included', () => {
    const lines: string[] = [];
    const { log, forComponent } = createAgentLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    log.info({ operationId: 7 }, 'client operation received');
    const deployments = forComponent('Software Distribution');
    deployments.info({ deploymentId: 3 }, 'program received');
    deployments.child({ program: 'setup' }).warn('program failed');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.match(/"component":/g)?.length)).toEqual([1, 1, 1]);
    expect(lines.map((line) => (JSON.parse(line) as { component: string }).component)).toEqual([
      'CCM_NOTIFICATION_AGENT',
      'Software Distribution',
      'Software Distribution',
    ]);
  });
});
