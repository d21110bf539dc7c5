/** Set by server.ts from the socket, so a client cannot claim another address. */
export const CLIENT_ADDRESS_HEADER = 'x-sitebox-client-address';
