import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { serverNames } from './site-certificates';
import { startTransportSecurity, type TransportSecurity, type TransportSecurityOptions } from './transport-security';

/** The machine's own addresses, read afresh at each check (an address can change while running). */
function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

/**
 * Transport security as configured (SITEBOX_TLS): null when off; else the site's own authority
 * and server certificate in `<SITEBOX_DATA_DIR>/tls`, naming this server (SITEBOX_SERVER_NAME,
 * the host name, SITEBOX_TLS_HOSTS, localhost and every address of the machine), or the
 * administrator's files.
 */
export async function startSiteTransportSecurity(cfg: Config, log: TransportSecurityOptions['log']): Promise<TransportSecurity | null> {
  if (cfg.SITEBOX_TLS === 'off') return null;
  if (cfg.SITEBOX_TLS === 'provided') {
    return startTransportSecurity({
      mode: 'provided',
      certFile: path.resolve(cfg.SITEBOX_TLS_CERT!),
      keyFile: path.resolve(cfg.SITEBOX_TLS_KEY!),
      log,
    });
  }
  const extra = cfg.SITEBOX_TLS_HOSTS?.split(',') ?? [];
  return startTransportSecurity({
    mode: 'auto',
    dir: path.join(cfg.dataDir, 'tls'),
    siteCode: cfg.SITEBOX_SITE_CODE,
    names: () => serverNames({ hosts: [cfg.SITEBOX_SERVER_NAME, os.hostname(), ...extra], addresses: interfaceAddresses() }),
    log,
  });
}
