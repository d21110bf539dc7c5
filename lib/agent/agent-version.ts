/** The client agent's version, sent at registration and in every heartbeat discovery record. */
export const AGENT_VERSION = '1.0.0';
