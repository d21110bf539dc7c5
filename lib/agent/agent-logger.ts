import pino from 'pino';

/** The component the agent's own lines carry, as the site's client agent logs name it. */
export const AGENT_COMPONENT = 'CCM_NOTIFICATION_AGENT';

/**
 * The agent's logger (its lines carry `component: CCM_NOTIFICATION_AGENT`), and `forComponent`
 * for a part that logs as a component of its own. Each is a child of a root without a component:
 * pino writes a child's bindings beside its parent's, never in their place, so a `component`
 * child of the agent's logger gave each line two `component` keys, which JSON readers take
 * differently (the first, the last, or an error).
 */
export function createAgentLogger(options: { level: string; destination?: pino.DestinationStream }) {
  const root = pino({ level: options.level, base: undefined }, options.destination);
  return {
    log: root.child({ component: AGENT_COMPONENT }),
    forComponent: (component: string) => root.child({ component }),
  };
}
