/**
 * Steps 3 and 4 in Chromium against the lab: options with a painted bandwidth schedule, the
 * provisioning plan shown before anything runs, each step's state, then the dashboard read
 * from the agents; a new page (the browser closed and opened again) shows the same job live.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { ARTEFACTS, useServedBrowser } from './browser.ts';
import { connectAndDiscover } from './wizard-flow.ts';
import { inHost, labStatus, resetProtection } from '../integration/helpers.ts';

const s = labStatus();
const ui = useServedBrowser();
const sh = (host: string, cmd: string) => inHost(s, host, cmd).stdout;

afterAll(() => resetProtection(labStatus(), ['mail1', 'mail2', 'witness'], 'fg-e2e'));

const attr = (page: Page, sel: string, name: string) => page.locator(sel).getAttribute(name);

/** Steps 1 and 2 as a person would do them, ending with step 3 open. */
async function throughPreflight(page: Page): Promise<void> {
  await connectAndDiscover(page, ui.served().url, s);
  await page.locator('nav.steps li[data-step="preflight"] button').click();
  await page.fill('#keyFile', s.hosts[0]!.keyFile);
  await page.fill('#witness', 'witness.lab.test');
  await page.getByRole('button', { name: 'Run pre-flight checks' }).click();
  await page.getByTestId('unknown-host-keys').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Trust these keys and run again' }).click();
  await page.getByTestId('preflight-summary').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-testid="preflight-progress"]'), null, { timeout: 60_000 });
  if (await page.getByTestId('accept-warnings').count()) await page.getByTestId('accept-warnings').check();
  expect(await attr(page, 'nav.steps li[data-step="options"]', 'data-state')).toBe('open');
}

describe('steps 3 and 4 in Chromium against the lab', () => {
  it('sets options, shows the plan before anything runs, protects MAIL1 with MAIL2, and shows live replication that survives a new page', async () => {
    const page = await ui.browser().newPage({ viewport: { width: 1280, height: 1000 } });
    await throughPreflight(page);
    await page.locator('nav.steps li[data-step="options"] button').click();
    // A wrong value is named beside its field and keeps step 4 locked.
    await page.fill('#interval-MAIL2', '0');
    expect(await page.getByTestId('error-interval-MAIL2').textContent()).toBe('at least 1 second');
    expect(await page.getByTestId('options-next').isDisabled()).toBe(true);
    expect(await attr(page, 'nav.steps li[data-step="protect"]', 'data-state')).not.toBe('open');
    await page.fill('#interval-MAIL2', '1');
    // Paint Monday and Tuesday 08:00–11:00 at 20 Mbit/s by dragging across the grid.
    await page.getByTestId('brush-MAIL2-20mbit').check();
    const from = await page.locator('[data-testid="schedule-MAIL2"] button[data-slot="8"]').boundingBox();
    const to = await page.locator('[data-testid="schedule-MAIL2"] button[data-slot="34"]').boundingBox();
    await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
    await page.mouse.down();
    await page.mouse.move(to!.x + to!.width / 2, to!.y + to!.height / 2, { steps: 12 });
    await page.mouse.up();
    const text = await page.getByTestId('schedule-text-MAIL2').textContent();
    expect(text).toMatch(/^mon(-tue)? 08-1[01] 20mbit/);
    expect(await attr(page, '[data-testid="schedule-MAIL2"] button[data-slot="8"]', 'data-limit')).toBe('20mbit');
    expect(await attr(page, '[data-testid="schedule-MAIL2"] button[data-slot="7"]', 'data-limit')).toBe('unlimited');
    await page.screenshot({ path: join(ARTEFACTS, 'options-step.png'), fullPage: true });
    // Clear it again: the lab's clock may fall in those hours, and the dashboard would show the limit.
    await page.locator('[data-testid="schedule-MAIL2"] button', { hasText: 'Clear' }).click();
    expect(await page.getByTestId('schedule-text-MAIL2').textContent()).toBe('No limit at any hour.');
    await page.getByLabel('Strong').check();
    // When the source is lost: the first DNS record is suggested from the directory's domain; a TTL under 5 s is refused.
    await page.getByTestId('add-dns-record').click();
    expect(await page.getByLabel('Zone 1').inputValue()).toBe('lab.test');
    expect(await page.getByLabel('Name 1').inputValue()).toBe('mail');
    await page.getByLabel('TTL (s) 1').fill('2');
    expect(await page.getByTestId('options-next').isDisabled()).toBe(true);
    await page.getByLabel('TTL (s) 1').fill('60');
    await page.getByTestId('options-next').click();

    // Step 4: the plan first; nothing is installed yet.
    await page.getByTestId('review-plan').click();
    await page.getByTestId('provision-plan').waitFor({ timeout: 60_000 });
    const planId = await attr(page, '[data-testid="provision-plan"]', 'data-plan-id');
    expect(planId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const steps = await page.locator('[data-testid="provision-plan"] li.plan-step').count();
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(await page.locator('[data-testid="provision-plan"]').textContent()).toContain('/opt/failguard');
    expect(sh('mail1', 'test -e /opt/failguard/agentd && echo yes || echo no').trim()).toBe('no');
    await page.screenshot({ path: join(ARTEFACTS, 'protect-plan.png'), fullPage: true });
    await page.getByTestId('protect-now').click();
    // Steps are shown as they run, then the dashboard.
    await page.locator('li.plan-step[data-state="applied"]').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('dashboard').waitFor({ timeout: 300_000 });
    const card = page.getByTestId('target-MAIL2');
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="target-MAIL2"]');
      return el?.getAttribute('data-phase') === 'replicating' && Number(el.getAttribute('data-rpo')) > 0;
    }, null, { timeout: 120_000 });
    expect(Number(await card.getAttribute('data-rpo'))).toBeLessThan(10);
    // The agents really run with the chosen options.
    const config = JSON.parse(sh('mail1', 'cat /etc/failguard/agent.json')) as { targets: Array<{ name: string; compression: string }> };
    expect(config.targets.map((t) => [t.name, t.compression])).toEqual([['MAIL2', 'strong']]);
    // The saved job holds step 3's failover choices.
    const jobDir = join(ui.served().dataDir, 'jobs');
    const saved = JSON.parse(readFileSync(join(jobDir, readdirSync(jobDir)[0]!, 'job.json'), 'utf8')) as { failover: { mode: string; dns: unknown[] } };
    expect(saved.failover).toMatchObject({ mode: 'alert', dns: [{ zone: 'lab.test', name: 'mail', type: 'A', ttl: 60 }] });
    expect(Number(sh('mail2', 'ls /srv/.failguard/received | wc -l').trim())).toBeGreaterThan(0);
    // The chart fills with samples.
    await page.waitForFunction(() => Number((globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="rpo-chart"]')?.getAttribute('data-samples')) >= 3, null, { timeout: 30_000 });
    await page.screenshot({ path: join(ARTEFACTS, 'dashboard.png'), fullPage: true });
    await page.close();

    // The browser closed and opened again: the saved job opens on its dashboard, live from the agents.
    const again = await ui.browser().newPage();
    await again.goto(ui.served().url);
    await again.getByTestId('dashboard').waitFor({ timeout: 30_000 });
    expect(await again.locator('nav.steps li[aria-current="step"]').getAttribute('data-step')).toBe('protect');
    await again.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="target-MAIL2"]')?.getAttribute('data-phase') === 'replicating', null, { timeout: 30_000 });

    // A rehearsal from the dashboard: its plan first, the run only once MAIL2's name is typed, each step's state live.
    await again.getByTestId('failover-actions-MAIL2').locator('button[data-action="rehearsal"]').click();
    const dialog = again.getByTestId('failover-dialog');
    await dialog.getByTestId('failover-plan').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('ol[data-testid="failover-plan"] > li').count()).toBe(5);
    expect(await dialog.getByTestId('failover-apply').isDisabled()).toBe(true);
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').trim()).toBe('no');
    await dialog.getByTestId('failover-confirm').fill('MAIL');
    expect(await dialog.getByTestId('failover-apply').isDisabled()).toBe(true);
    await dialog.getByTestId('failover-confirm').fill('MAIL2');
    await again.screenshot({ path: join(ARTEFACTS, 'rehearsal-plan.png'), fullPage: true });
    await dialog.getByTestId('failover-apply').click();
    await dialog.getByTestId('failover-outcome').waitFor({ timeout: 120_000 });
    expect(await dialog.getByTestId('failover-outcome').getAttribute('data-outcome')).toBe('applied');
    expect(await dialog.locator('li[data-step-state="applied"]').count()).toBe(5);
    await again.screenshot({ path: join(ARTEFACTS, 'rehearsal-done.png'), fullPage: true });
    // The event log shows what the agents did (the monitor's view of MAIL1 at least).
    await again.getByTestId('event-log').waitFor({ timeout: 30_000 });
    expect(await again.getByTestId('event-log').locator('li').count()).toBeGreaterThan(0);
    await again.close();
  }, 600_000);
});
