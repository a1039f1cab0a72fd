/** Step 1 as a person does it on the lab: the directory form filled, the lab CA given, discovery run. */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import type { LabStatus } from '../integration/helpers.ts';

/** The start page, then "Protect a server": step 1 of a new protection. */
export async function openWizard(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('start-new').click();
}

export async function connectAndDiscover(page: Page, url: string, s: LabStatus): Promise<void> {
  await openWizard(page, url);
  await page.fill('#domain', 'lab.test');
  await page.fill('#dnsServer', s.directory.dnsServer);
  await page.fill('#username', s.directory.bindDn);
  await page.fill('#password', readFileSync(s.directory.passwordFile, 'utf8').trim());
  await page.setInputFiles('#ca', s.directory.caFile);
  await page.getByRole('button', { name: 'Connect and discover' }).click();
  await page.getByTestId('org-summary').waitFor();
}
