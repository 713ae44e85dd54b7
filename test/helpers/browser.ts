/**
 * Headless Debian Chromium driven by playwright-core, trusting the
 * appliance's CA the honest way: a fresh HOME with an NSS database holding
 * the CA as a trusted root (no ignore-certificate flags).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/lib/chromium/chromium';

export interface TrustedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchTrusting(caPem: string): Promise<TrustedBrowser> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-chromium-'));
  const nss = path.join(home, '.pki', 'nssdb');
  mkdirSync(nss, { recursive: true });
  const caFile = path.join(home, 'ca.pem');
  writeFileSync(caFile, caPem);
  execFileSync('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nss}`, '-A', '-t', 'C,,', '-n', 'RelayDesk test CA', '-i', caFile]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
