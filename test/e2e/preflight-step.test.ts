import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ARTEFACTS, useServedBrowser } from './browser.ts';
import { connectAndDiscover } from './wizard-flow.ts';
import { inHost, labStatus } from '../integration/helpers.ts';

const s = labStatus();
const ui = useServedBrowser();

describe('step 2 in Chromium against the lab', () => {
  it('runs pre-flight, asks about host keys, fixes a chosen finding after review, and opens step 3 only when clear', async () => {
    inHost(s, 'mail2', 'sysctl -qw net.ipv4.tcp_keepalive_time=7200');
    const page = await ui.browser().newPage();
    await connectAndDiscover(page, ui.served().url, s);
    // Step 2 opened because a source and a target are chosen; step 3 is still locked.
    expect(await page.locator('nav.steps li[data-step="preflight"]').getAttribute('data-state')).toBe('open');
    expect(await page.locator('nav.steps li[data-step="options"]').getAttribute('data-state')).not.toBe('open');
    await page.locator('nav.steps li[data-step="preflight"] button').click();
    await page.fill('#keyFile', s.hosts[0]!.keyFile);
    await page.fill('#witness', 'witness.lab.test');
    await page.getByRole('button', { name: 'Run pre-flight checks' }).click();
    await page.getByTestId('unknown-host-keys').waitFor({ timeout: 60_000 });
    const shown = await page.getByTestId('unknown-host-keys').textContent();
    for (const h of s.hosts.filter((x) => ['mail1', 'mail2', 'witness'].includes(x.name))) expect(shown).toContain(h.hostKeyFingerprint);
    await page.getByRole('button', { name: 'Trust these keys and run again' }).click();
    // A function, not a string: the page's CSP forbids eval.
    await page.waitForFunction(() => {
      const q = (sel: string) => (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(sel);
      return !q('[data-testid="unknown-host-keys"]') && !!q('[data-testid="preflight-summary"]') && !q('[data-testid="preflight-progress"]');
    }, null, { timeout: 60_000 }).catch(async (e: unknown) => { throw new Error(`${String(e)}\n${await page.locator('body').innerText()}`); });
    expect(await page.locator('details.finding[data-outcome="failure"]').count()).toBe(0);
    expect(await page.locator('details.finding[data-outcome="error"]').count()).toBe(0);
    const keepalive = page.locator('details.finding[data-rule="tcp-keepalive"][data-host="MAIL2"]');
    expect(await keepalive.getAttribute('data-outcome')).toBe('warning');
    await keepalive.locator('input[type="checkbox"]').check();
    await page.getByTestId('fix-selected').click();
    const review = page.getByTestId('fix-review');
    await review.waitFor();
    expect(await review.textContent()).toContain('sysctl -w net.ipv4.tcp_keepalive_time=600');
    await page.screenshot({ path: join(ARTEFACTS, 'preflight-fix-review.png') });
    // Nothing changed before consent.
    expect(inHost(s, 'mail2', 'sysctl -n net.ipv4.tcp_keepalive_time').stdout.trim()).toBe('7200');
    await page.getByRole('button', { name: 'Apply 1 fix' }).click();
    await page.getByTestId('fix-results').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-fix="tcp-keepalive"]').getAttribute('data-recheck')).toBe('pass');
    expect(await page.locator('[data-fix="tcp-keepalive"]').getAttribute('data-outcome')).toBe('applied');
    expect(inHost(s, 'mail2', 'sysctl -n net.ipv4.tcp_keepalive_time').stdout.trim()).toBe('600');
    expect(await page.locator('details.finding[data-rule="tcp-keepalive"][data-host="MAIL2"]').getAttribute('data-outcome')).toBe('pass');
    // Remaining warnings keep step 3 locked until accepted.
    const warnings = await page.locator('details.finding[data-outcome="warning"]').count();
    if (warnings > 0) {
      expect(await page.locator('nav.steps li[data-step="options"]').getAttribute('data-state')).not.toBe('open');
      await page.getByTestId('accept-warnings').check();
    }
    const download = page.waitForEvent('download');
    await page.getByTestId('export-report').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^failguard-preflight-.*\.html$/);
    const html = readFileSync((await file.path())!, 'utf8');
    expect(html).toContain('Pre-flight report');
    if (warnings > 0) expect(html).toContain('Warnings accepted');
    await page.screenshot({ path: join(ARTEFACTS, 'preflight-step.png'), fullPage: true });
    await page.close();
  });
});
