import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ARTEFACTS, useServedBrowser } from './browser.ts';
import { openWizard } from './wizard-flow.ts';
import { labStatus } from '../integration/helpers.ts';

const s = labStatus();
const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const dcCert = join(s.labDir, 'hosts', 'dc1', 'tls', 'cert.pem');
const ui = useServedBrowser();

async function fillForm(page: Page, pw: string) {
  await page.fill('#domain', 'lab.test');
  await page.fill('#dnsServer', s.directory.dnsServer);
  await page.fill('#username', s.directory.bindDn);
  await page.fill('#password', pw);
}

describe('step 1 in Chromium against the lab DC', () => {
  it('validates inline before anything is sent', async () => {
    const page = await ui.browser().newPage();
    await openWizard(page, ui.served().url);
    await page.getByRole('button', { name: 'Connect and discover' }).click();
    await expect(page.getByTestId('error-domain').textContent()).resolves.toMatch(/DNS name/);
    await expect(page.getByTestId('error-username').isVisible()).resolves.toBe(true);
    await page.fill('#domain', 'lab.test');
    expect(await page.getByTestId('error-domain').count()).toBe(0);
    await page.close();
  });

  it('connects, asks to trust the certificate, shows the servers and picks source and target', async () => {
    const page = await ui.browser().newPage();
    await openWizard(page, ui.served().url);
    await fillForm(page, password);
    await page.getByRole('button', { name: 'Connect and discover' }).click();
    const dialog = page.getByTestId('certificate-dialog');
    await dialog.waitFor();
    const leafFingerprint = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', dcCert], { encoding: 'utf8' }).stdout.split('=')[1]!.trim();
    expect(await page.getByTestId('cert-SHA-256 fingerprint').textContent()).toBe(leafFingerprint);
    expect(await page.getByTestId('cert-Valid for').textContent()).toContain('dc1.lab.test');
    await page.screenshot({ path: join(ARTEFACTS, 'servers-trust-certificate.png') });
    await page.getByRole('button', { name: 'Trust and connect' }).click();
    await page.getByTestId('org-summary').waitFor();
    expect(await page.getByTestId('org-summary').textContent()).toBe('Failguard Lab: 3 servers, 12 databases, 500 mailboxes.');
    expect(await page.getByTestId('mailboxes-MAIL1').textContent()).toBe('500');
    expect(await page.getByTestId('dbs-MAIL2').textContent()).toBe('4');
    // Defaults: the busiest server is the source, the first empty server of the same version the target (MAIL3 can be ticked too).
    expect(await page.getByRole('radio', { name: 'Source MAIL1' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Target MAIL2' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Target MAIL3' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Target MAIL1' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('selection-state').textContent()).toMatch(/^MAIL1 will be protected by MAIL2/);
    // Unticking the only target makes the choice incomplete again.
    await page.getByRole('checkbox', { name: 'Target MAIL2' }).uncheck();
    expect(await page.getByTestId('selection-state').textContent()).toMatch(/^Choose the server to protect/);
    await page.getByRole('checkbox', { name: 'Target MAIL2' }).check();
    await page.screenshot({ path: join(ARTEFACTS, 'servers-step.png'), fullPage: true });
    await page.close();
  });

  it('shows a wrong password next to the password field', async () => {
    const page = await ui.browser().newPage();
    await openWizard(page, ui.served().url);
    await fillForm(page, 'definitely-wrong');
    await page.getByRole('button', { name: 'Connect and discover' }).click();
    // The lab CA is not trusted in a fresh page: trust it first, then the bind fails.
    await page.getByTestId('certificate-dialog').waitFor();
    await page.getByRole('button', { name: 'Trust and connect' }).click();
    await page.getByTestId('error-password').waitFor();
    expect(await page.getByTestId('error-password').textContent()).toMatch(/user name or password is wrong/);
    await page.close();
  });
});
