/** Where a server was asked to listen, and the variables that chose the address and the port. */
export interface ListenTarget {
  host: string;
  port: number;
  hostVariable: string;
  portVariable: string;
}

/**
 * Says why a server could not listen, naming the variable to change, for the failures an
 * administrator fixes in the configuration (a port taken or privileged, a host that is not this
 * computer's); undefined for any other error, which stays a fault with its stack.
 */
export function listenFailure(error: unknown, target: ListenTarget): string | undefined {
  const { host, port, hostVariable, portVariable } = target;
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `${portVariable}: port ${port} is already in use on ${host} (another program, or another Sitebox, listens there): stop it or choose another ${portVariable}.`;
    case 'EACCES':
      return `${portVariable}: port ${port} on ${host} is privileged and this process may not listen on it: choose a port of 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `${hostVariable}: ${host} is not an address of this computer: name one of its addresses, or 0.0.0.0 for all of them.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${hostVariable}: ${host} is not a name this computer resolves: name one of its addresses, or 0.0.0.0 for all of them.`;
    default:
      return undefined;
  }
}
