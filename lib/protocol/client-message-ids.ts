/**
 * Message IDs a client agent reports (the 10000s). The agent sends them and the server's catalog
 * describes them, so both read them from here. Program messages carry insertion strings %1
 * deployment, %2 package, %3 program, then the exit code (and for a retry, the attempt and of how many).
 */
export const clientMessageIds = {
  programReceived: 10002,
  programStarted: 10005,
  programFailed: 10006,
  programFailedMif: 10007,
  programSucceeded: 10008,
  programSucceededMif: 10009,
  programExpired: 10018,
  programWillRetry: 10019,
  meteringRulesReceived: 10907,
  meteringPolicyReceived: 10908,
  clientActionSucceeded: 10950,
  clientActionFailed: 10951,
  clientActionCancelled: 10952,
} as const;
