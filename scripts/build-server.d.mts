/** scripts/build-server.mjs: compiles the server's own processes into dist/server. */
export declare const serverEntryPoints: string[];
export declare function buildServer(): Promise<void>;
