/** systemd's quoting for one ExecStart word: double quotes, with backslash and quote escaped. */
const quote = (word: string) => `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The agent's service unit: runs the bundle on this machine's Node with the installed configuration. */
export function systemdUnit(options: { nodePath: string; bundlePath: string; configFile: string }): string {
  return [
    '[Unit]',
    'Description=Sitebox client agent',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[options.nodePath, options.bundlePath, 'run', '--config', options.configFile].map(quote).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=10',
    // Exit code 2: the management point does not know this credential, or the configuration is
    // wrong (a usage error); restarting cannot help until someone mends it.
    'RestartPreventExitStatus=2',
    'Environment=NODE_ENV=production',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
