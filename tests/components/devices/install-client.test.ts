// The Devices page's install commands: over HTTPS they check the download against its SHA-256 and
// pin the site's authority by its fingerprint; without HTTPS they are the plain ones.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { InstallClient } from '@/components/devices/install-client';

const commandsOf = (html: string) =>
  /<pre aria-label="Install commands"[^>]*>([\s\S]*?)<\/pre>/
    .exec(html)![1]
    .replace(/&quot;/g, '"')
    .split('\n');

describe('install commands', () => {
  it('over HTTPS: download checked by its checksum, install pinning the site authority', () => {
    const fingerprint = 'AB:'.repeat(31) + 'CD';
    const html = renderToStaticMarkup(
      createElement(InstallClient, { siteUrl: 'https://mp01.corp.example.com:3000', caFingerprint: fingerprint, bundleSha256: 'f'.repeat(64) }),
    );
    expect(commandsOf(html)).toEqual([
      'curl -fsSLko sitebox-agent.cjs https://mp01.corp.example.com:3000/api/agent/download',
      `echo "${'f'.repeat(64)}  sitebox-agent.cjs" | sha256sum -c`,
      `sudo node sitebox-agent.cjs install --mp https://mp01.corp.example.com:3000 --ca-fingerprint ${fingerprint}`,
    ]);
    expect(html).toContain(`<code aria-label="Site CA fingerprint" class="break-all">${fingerprint}</code>`);
  });

  it('without HTTPS: the plain commands', () => {
    const html = renderToStaticMarkup(createElement(InstallClient, { siteUrl: 'http://mp01:3000' }));
    expect(commandsOf(html)).toEqual([
      'curl -fsSLo sitebox-agent.cjs http://mp01:3000/api/agent/download',
      'sudo node sitebox-agent.cjs install --mp http://mp01:3000',
    ]);
    expect(html).not.toContain('Site CA fingerprint');
  });
});
