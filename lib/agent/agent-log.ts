/** The part of a pino logger the agent and its parts use. */
export interface AgentLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** For a part given no logger (tests, the simulator). */
export const silentLog: AgentLog = { info() {}, warn() {}, debug() {} };
