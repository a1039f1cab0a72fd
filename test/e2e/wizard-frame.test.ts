import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { ARTEFACTS, useServedBrowser } from './browser.ts';
import { VERSION } from '../../electron/backend/version.ts';

const ui = useServedBrowser();

describe('failguard serve in Chromium', () => {
  it('shows the wizard frame: four steps in order, the version, nothing faked', async () => {
    const page = await ui.browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const res = await page.goto(ui.served().url);
    expect(res?.status()).toBe(200);
    await page.getByTestId('version').filter({ hasText: `v${VERSION}` }).waitFor();
    // A first start: the start page, no saved job, and where secrets would be kept.
    await page.getByTestId('start-page').waitFor();
    expect(await page.getByTestId('saved-jobs').count()).toBe(0);
    expect(await page.getByTestId('secrets-how').textContent()).toMatch(/not kept: start Failguard with --secret-key-file/);
    await page.getByTestId('start-new').click();
    const steps = await page.locator('nav.steps li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-state')]));
    expect(steps.map(([s]) => s)).toEqual(['servers', 'preflight', 'options', 'protect']);
    // Nothing is built in the frame alone: every step says so rather than pretending.
    for (const [, state] of steps) expect(['open', 'locked', 'not-built']).toContain(state);
    const current = await page.locator('nav.steps li[aria-current="step"]').getAttribute('data-step');
    expect(current).toBe('servers');
    const shot = join(ARTEFACTS, 'wizard-frame.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot) && statSync(shot).size > 5000).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses the page and the API without the token', async () => {
    const context = await ui.browser().newContext();
    const page = await context.newPage();
    const res = await page.goto(`${ui.served().origin}/`);
    expect(res?.status()).toBe(403);
    const api = await fetch(`${ui.served().origin}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(403);
    const wrong = await fetch(`${ui.served().origin}/?token=${ui.served().token.slice(1)}x`);
    expect(wrong.status).toBe(403);
    await context.close();
  });

  it('refuses a page from another origin calling the API (the browser sends Origin)', async () => {
    const page = await ui.browser().newPage();
    await page.goto(ui.served().url);
    // From the served page itself the call works with the cookie; with a forged Origin it is refused.
    const ok = await page.evaluate(async () => (await fetch('/api/call/app.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(ok).toBe(200);
    const forged = await fetch(`${ui.served().origin}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example', cookie: `fg_token_${new URL(ui.served().origin).port}=${ui.served().token}` }, body: '{}' });
    expect(forged.status).toBe(403);
    await page.close();
  });
});
