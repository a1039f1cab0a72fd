/**
 * The whole wizard in Chromium through `failguard serve`, against the lab, as a first-time
 * user does it: the start page; step 1 by keyboard, trusting the DC's certificate; MAIL1 →
 * MAIL2 and MAIL3 with the witness; a pre-flight that finds an injected problem and fixes it
 * after its plan is reviewed; options (compression, a schedule, a DNS record, automatic
 * failover with a short timeout, an alert receiver); protect; the dashboard until the
 * initial sync is done; a rehearsal; then the saved job reopened from the start page, a
 * bandwidth limit added, the change shown, applied to MAIL1 alone. Every step and dialog is
 * screenshotted and checked with axe; at the end no file the app wrote holds a lab secret.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ARTEFACTS, useServedBrowser } from './browser.ts';
import { seriousViolations } from './axe.ts';
import { keyboardGaps } from './keyboard.ts';
import { filesUnder, inHost, labStatus } from '../integration/helpers.ts';
import { putLabBack } from '../integration/failover-helpers.ts';

const s = labStatus();
const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const keyFile = join(mkdtempSync(join(tmpdir(), 'fg-walk-key-')), 'secret.key');
writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
const ui = useServedBrowser(['--secret-key-file', keyFile]);
// The lab's key with a passphrase on it: typed once in step 2, kept with the job, never typed again.
const passphrase = `walk ${randomBytes(6).toString('hex')}`;
const lockedKey = join(dirname(keyFile), 'locked_ed25519');
writeFileSync(lockedKey, readFileSync(s.hosts[0]!.keyFile), { mode: 0o600 });
spawnSync('ssh-keygen', ['-p', '-q', '-P', '', '-N', passphrase, '-f', lockedKey]);
const sh = (host: string, cmd: string) => inHost(s, host, cmd).stdout;
const hosts = ['mail1', 'mail2', 'mail3', 'witness'];
const pids = () => Object.fromEntries(hosts.map((h) => [h, (JSON.parse(sh(h, 'cat /var/lib/failguard/state.json')) as { pid: number }).pid]));
const attr = (page: Page, sel: string, name: string) => page.locator(sel).getAttribute(name);
type Doc = { document: { querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null; activeElement: { textContent: string | null; id: string } | null } };
const shots: string[] = [];
const syslogFile = s.receivers.syslog.log;
const syslogAtStart = statSync(syslogFile).size;

/** A screenshot of what the person sees now; axe on it (or on one dialog), in the light theme and the dark: no serious or critical violation; every control reachable by Tab, with a focus ring. */
async function look(page: Page, name: string, scope?: string): Promise<void> {
  const file = join(ARTEFACTS, `walk-${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
  expect(await seriousViolations(page, scope), `axe on ${name}`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(page, scope), `axe on ${name}, dark`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  // Keyboard only: Tab reaches every control there, each with a visible focus ring.
  expect(await keyboardGaps(page, scope), `keyboard on ${name}`).toEqual({ unreachable: [], noRing: [] });
}

/** A button or link pressed from the keyboard, as someone without a mouse does. */
async function press(page: Page, selector: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.press('Enter');
}

async function preflightDone(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const q = (sel: string) => (globalThis as unknown as Doc).document.querySelector(sel);
    return !!q('[data-testid="preflight-summary"]') && !q('[data-testid="preflight-progress"]') && !q('[data-testid="unknown-host-keys"]');
  }, null, { timeout: 120_000 });
}

// The lab as before any failover, whatever happened (automatic failover is on): later tests count on MAIL1 serving.
afterAll(async () => {
  inHost(s, 'mail3', 'sysctl -qw net.ipv4.tcp_keepalive_time=600');
  await putLabBack('fg-walk');
}, 300_000);

describe('the whole wizard, end to end in Chromium', () => {
  it('from the start page to a protected, rehearsed, reconfigured job', async () => {
    inHost(s, 'mail3', 'sysctl -qw net.ipv4.tcp_keepalive_time=7200');
    const page = await ui.browser().newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(ui.served().url);
    await page.getByTestId('start-page').waitFor();
    expect(await page.getByTestId('secrets-how').textContent()).toContain(`kept encrypted, the key in the key file ${keyFile}`);
    await look(page, 'start');

    // Step 1 by keyboard alone: type into each field, Enter submits; the certificate dialog takes the focus.
    await page.getByTestId('start-new').focus();
    await page.keyboard.press('Enter');
    for (const [sel, text] of [['#domain', 'lab.test'], ['#dnsServer', s.directory.dnsServer], ['#username', s.directory.bindDn], ['#password', password]] as const) {
      await page.focus(sel);
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Enter');
    const cert = page.getByTestId('certificate-dialog');
    await cert.waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as Doc).document.activeElement?.textContent)).toBe('Trust and connect');
    await look(page, 'certificate-dialog', '[data-testid="certificate-dialog"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('org-summary').waitFor({ timeout: 60_000 });
    await page.getByLabel('Source MAIL1').check();
    if (!(await page.getByLabel('Target MAIL2').isChecked())) await page.getByLabel('Target MAIL2').check();
    await page.getByLabel('Target MAIL3').check();
    expect(await page.getByTestId('selection-state').textContent()).toContain('MAIL1 will be protected by MAIL2, MAIL3');
    await look(page, 'servers');

    // Step 2: host keys asked about once, the injected problem found, its fix reviewed, then applied and checked again.
    await press(page, 'nav.steps li[data-step="preflight"] button');
    expect(await page.inputValue('#sshMethod')).toBe('key');
    await page.fill('#keyFile', lockedKey);
    await page.fill('#sshSecret', passphrase);
    await page.fill('#witness', '198.18.0.13');
    await page.getByRole('button', { name: 'Run pre-flight checks' }).click();
    await page.getByTestId('unknown-host-keys').waitFor({ timeout: 90_000 });
    await look(page, 'host-keys');
    await page.getByRole('button', { name: 'Trust these keys and run again' }).click();
    await preflightDone(page);
    const keepalive = page.locator('details.finding[data-rule="tcp-keepalive"][data-host="MAIL3"]');
    expect(await keepalive.getAttribute('data-outcome')).toBe('warning');
    await page.focus('[data-testid="fix-tcp-keepalive-MAIL3"]');
    await page.keyboard.press('Space');
    expect(await page.getByTestId('fix-tcp-keepalive-MAIL3').isChecked()).toBe(true);
    await press(page, '[data-testid="fix-selected"]');
    await page.getByTestId('fix-review').waitFor();
    expect(await page.getByTestId('fix-review').textContent()).toContain('sysctl -w net.ipv4.tcp_keepalive_time=600');
    expect(sh('mail3', 'sysctl -n net.ipv4.tcp_keepalive_time').trim()).toBe('7200');
    await look(page, 'fix-review', '[data-testid="fix-review"]');
    // The review dialog has the focus on its apply button.
    expect(await page.evaluate(() => (globalThis as unknown as Doc).document.activeElement?.textContent)).toBe('Apply 1 fix');
    await page.keyboard.press('Enter');
    await page.getByTestId('fix-results').waitFor({ timeout: 90_000 });
    expect(await attr(page, '[data-fix="tcp-keepalive"]', 'data-recheck')).toBe('pass');
    expect(sh('mail3', 'sysctl -n net.ipv4.tcp_keepalive_time').trim()).toBe('600');
    expect(await page.locator('details.finding[data-outcome="failure"], details.finding[data-outcome="error"]').count()).toBe(0);
    if (await page.getByTestId('accept-warnings').count()) await page.getByTestId('accept-warnings').check();
    // Each finding opens its rule's page, shipped in the app.
    // Fixed, it now passes: folded in its category, which opens on demand.
    const fixed = page.locator('details.finding[data-rule="tcp-keepalive"][data-host="MAIL3"]');
    await page.locator('details.category:has(details.finding[data-rule="tcp-keepalive"][data-host="MAIL3"]) > summary').click();
    await fixed.locator('summary').click();
    await fixed.getByTestId('rule-link-tcp-keepalive').click();
    await page.getByTestId('rule-page').waitFor();
    expect(await page.locator('#rule-title').textContent()).toBeTruthy();
    await look(page, 'rule-page', '[data-testid="rule-page"]');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('rule-page').count()).toBe(0);
    // Passed checks are folded into a count per category.
    expect(await page.locator('section[data-group="pass"] details.category').count()).toBeGreaterThan(3);
    // The auditor's report, as a download.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-report').click();
    const report = readFileSync((await (await download).path())!, 'utf8');
    expect(report).toContain('Pre-flight report');
    expect(report).not.toContain(password);
    await look(page, 'preflight');

    // Step 3: strong compression and a schedule for MAIL2, a DNS record, automatic failover after 25 s, a syslog receiver.
    await press(page, 'nav.steps li[data-step="options"] button');
    await page.getByTestId('options-MAIL2').getByLabel('Strong').check();
    await page.getByTestId('brush-MAIL2-100mbit').check();
    await press(page, '[data-testid="schedule-MAIL2"] button[data-slot="0"]');
    expect(await page.getByTestId('schedule-text-MAIL2').textContent()).toBe('mon 00-01 100mbit');
    await page.getByLabel('Automatic, after the timeout').check();
    await page.fill('#failover-timeout', '25');
    await page.getByTestId('add-dns-record').click();
    expect([await page.getByLabel('Zone 1').inputValue(), await page.getByLabel('Name 1').inputValue()]).toEqual(['lab.test', 'mail']);
    await page.getByTestId('add-alert').click();
    await page.getByTestId('alert-0').getByLabel('Kind').selectOption('syslog');
    await page.fill('#alert-0-host', '198.18.0.20');
    // The health thresholds: a warning after 40 s instead of 30; a critical age below it is refused in words, by field.
    await page.fill('#rpoWarnSeconds', '400');
    expect(await page.getByTestId('error-rpoCriticalSeconds').textContent()).toBe('must be longer than the warning age');
    expect(await page.getByTestId('options-next').isDisabled()).toBe(true);
    await page.fill('#rpoWarnSeconds', '40');
    // Rehearsals by themselves: off until chosen; weekly, on a day and at a time checked in words.
    expect(await page.inputValue('#rehearseEvery')).toBe('off');
    await page.selectOption('#rehearseEvery', 'week');
    await page.selectOption('#rehearseWeekday', 'wed');
    await page.fill('#rehearseTime', '25:00');
    expect(await page.getByTestId('error-rehearseTime').textContent()).toBe('not a time of day (HH:MM, 24 hours)');
    expect(await page.getByTestId('options-next').isDisabled()).toBe(true);
    await page.fill('#rehearseTime', '22:30');
    await look(page, 'options');
    await page.getByTestId('options-next').click();

    // Step 4: the plan first (a new job: no changes to show), then protect; the dashboard until both standbys hold a copy.
    await page.getByTestId('review-plan').click();
    await page.getByTestId('provision-plan').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('job-changes').count()).toBe(0);
    expect(sh('mail1', 'test -e /opt/failguard/agentd && echo yes || echo no').trim()).toBe('no');
    await look(page, 'protect-plan');
    await page.getByTestId('protect-now').click();
    await page.getByTestId('dashboard').waitFor({ timeout: 400_000 });
    for (const t of ['MAIL2', 'MAIL3']) {
      await page.waitForFunction((name) => {
        const el = (globalThis as unknown as Doc).document.querySelector(`[data-testid="target-${name}"]`);
        return el?.getAttribute('data-phase') === 'replicating' && Number(el.getAttribute('data-rpo')) > 0;
      }, t, { timeout: 180_000 });
    }
    const config = JSON.parse(sh('mail1', 'cat /etc/failguard/agent.json')) as { targets: Array<{ name: string; compression: string; schedule: string }>; monitor: { mode: string; timeoutSeconds: number }; alerts: Array<{ kind: string; host: string }> };
    expect(config.targets.map((t) => [t.name, t.compression, t.schedule])).toEqual([['MAIL2', 'strong', 'mon 00-01 100mbit'], ['MAIL3', 'fast', '']]);
    expect([config.monitor.mode, config.monitor.timeoutSeconds, config.alerts]).toEqual(['automatic', 25, [{ kind: 'syslog', host: '198.18.0.20', port: 514, transport: 'udp' }]]);
    expect((JSON.parse(sh('mail2', 'cat /etc/failguard/agent.json')) as { health: unknown; metrics: unknown })).toMatchObject({ health: { rpoWarnSeconds: 40, rpoCriticalSeconds: 300 }, metrics: { textfileDir: '/var/lib/prometheus/node-exporter' } });
    expect(sh('mail2', 'test -f /etc/failguard/failover-plan.json && test -f /etc/failguard/directory.sealed && echo yes').trim()).toBe('yes');
    await page.waitForFunction(() => Number((globalThis as unknown as Doc).document.querySelector('[data-testid="rpo-chart"]')?.getAttribute('data-samples')) >= 3, null, { timeout: 30_000 });
    // Each standby against the thresholds, as status --check judges it, and its tripwire.
    for (const t of ['MAIL2', 'MAIL3']) {
      await page.waitForFunction((name) => (globalThis as unknown as Doc).document.querySelector(`[data-testid="health-${name}"]`)?.getAttribute('data-state') === 'OK', t, { timeout: 30_000 });
      expect(['learning', 'armed']).toContain(await page.getByTestId(`tripwire-${t}`).getAttribute('data-state'));
    }
    await look(page, 'dashboard');

    // A rehearsal on MAIL2 at a point in time: its plan, remade for the point chosen, confirmed by typing the name, each step live.
    await page.getByTestId('failover-actions-MAIL2').locator('button[data-action="rehearsal"]').click();
    const dialog = page.getByTestId('failover-dialog');
    await dialog.getByTestId('failover-plan').waitFor({ timeout: 60_000 });
    expect(await dialog.getByTestId('failover-apply').isDisabled()).toBe(true);
    const older = await dialog.getByTestId('failover-point').locator('option').nth(2).getAttribute('value');
    expect(older).toMatch(/^p\d{10}-\d{13}$/);
    await dialog.getByTestId('failover-point').selectOption(older!);
    await page.waitForFunction((p) => (globalThis as unknown as Doc).document.querySelector('[data-testid="failover-plan"] li code')?.textContent?.includes(p) ?? false, older!, { timeout: 60_000 });
    expect(await dialog.getByTestId('failover-point-choice').getAttribute('data-point')).toBe(older);
    expect(Number(await dialog.getByTestId('failover-point-choice').getAttribute('data-newer'))).toBeGreaterThanOrEqual(2);
    await dialog.getByTestId('failover-confirm').fill('MAIL2');
    await look(page, 'rehearsal-plan', '[data-testid="failover-dialog"]');
    await dialog.getByTestId('failover-apply').click();
    await dialog.getByTestId('failover-outcome').waitFor({ timeout: 180_000 });
    expect(await dialog.getByTestId('failover-outcome').getAttribute('data-outcome')).toBe('applied');
    await look(page, 'rehearsal-done', '[data-testid="failover-dialog"]');
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    // Its report is kept with the job: the dashboard lists it, passed (the kept directory account counted every mailbox).
    const kept = page.locator('[data-testid="rehearsal-reports"] tr[data-report]');
    await kept.first().waitFor({ timeout: 30_000 });
    expect(await kept.count()).toBe(1);
    expect(await kept.first().getAttribute('data-outcome')).toBe('passed');
    expect(await page.getByTestId('rehearsal-reports').textContent()).toContain('every Wednesday at 22:30');
    await look(page, 'rehearsal-reports', '[data-testid="rehearsal-reports"]');

    // The start page: the job with its state, RPO and the rehearsal as its last action.
    await page.getByTestId('back-to-start').click();
    const row = page.locator('[data-testid="saved-jobs"] tr[data-job]');
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('[data-testid="saved-jobs"] tr[data-job]')?.getAttribute('data-state') === 'protected', null, { timeout: 60_000 });
    expect(await row.locator('td').nth(4).textContent()).toMatch(/^rehearsal to MAIL2, /);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('[data-testid="saved-health"]')?.getAttribute('data-state') === 'OK', null, { timeout: 30_000 });
    expect(await page.getByTestId('saved-rehearsal').getAttribute('data-outcome')).toBe('passed');
    expect(await page.getByTestId('saved-rehearsal').getAttribute('data-overdue')).toBe('no');
    expect(await page.getByTestId('saved-rehearsal').textContent()).toMatch(/every Wednesday at 22:30; next /);
    await look(page, 'start-saved-job');

    // Reopen it: discovery runs with the kept password (none typed), the servers are chosen again, the pre-flight passes.
    const before = pids();
    await row.getByTestId('reconfigure').click();
    await page.getByTestId('org-summary').waitFor({ timeout: 60_000 });
    expect(await page.inputValue('#password')).toBe('');
    expect(await page.getByTestId('selection-state').textContent()).toContain('MAIL1 will be protected by MAIL2, MAIL3');
    await press(page, 'nav.steps li[data-step="preflight"] button');
    expect(await page.inputValue('#witness')).toBe('198.18.0.13');
    // The key and its kept passphrase: nothing to type.
    expect([await page.inputValue('#keyFile'), await page.inputValue('#sshSecret')]).toEqual([lockedKey, '']);
    await page.getByRole('button', { name: 'Run pre-flight checks' }).click();
    await preflightDone(page);
    if (await page.getByTestId('accept-warnings').count()) await page.getByTestId('accept-warnings').check();
    await press(page, 'nav.steps li[data-step="options"] button');
    expect(await page.getByTestId('schedule-text-MAIL2').textContent()).toBe('mon 00-01 100mbit');
    await page.getByTestId('brush-MAIL3-20mbit').check();
    // The grid from the keyboard: its one Tab stop, down a day, paint.
    await page.focus('[data-testid="schedule-MAIL3"] button[tabindex="0"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('options-next').click();
    await page.getByTestId('review-plan').click();
    await page.getByTestId('job-changes').waitFor({ timeout: 120_000 });
    const changes = await page.locator('[data-testid="job-changes"] tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-kind'), r.getAttribute('data-subject'), r.getAttribute('data-field')]));
    expect(changes).toEqual([['changed', 'target MAIL3', 'bandwidth schedule']]);
    const planHosts = await page.locator('[data-testid="provision-plan"] li.plan-step code').allTextContents();
    // MAIL1 ships to MAIL3 with the new schedule; MAIL2 would follow with it if it ever took over, so it takes it too (in place).
    expect(planHosts.filter((c) => !c.startsWith('MAIL1') && !c.startsWith('MAIL2'))).toEqual([]);
    const onMail2 = planHosts.filter((c) => c.startsWith('MAIL2'));
    expect(onMail2.length).toBeGreaterThan(0);
    expect(onMail2.filter((c) => !/^MAIL2: (copy agent\.json |\S+ \S+agent\.mjs reload |rm -f )/.test(c))).toEqual([]);
    expect(planHosts.some((c) => c.includes('agentd stop'))).toBe(false);
    await look(page, 'reconfigure-diff');
    await page.getByTestId('protect-now').click();
    await page.getByTestId('dashboard').waitFor({ timeout: 200_000 });
    expect(pids()).toEqual(before);
    expect((JSON.parse(sh('mail1', 'cat /etc/failguard/agent.json')) as typeof config).targets[1]!.schedule).toBe('tue 00-01 20mbit');
    await page.emulateMedia({ colorScheme: 'dark' });
    await look(page, 'dashboard-dark');
    // No standby ever called MAIL1 lost: provisioning starts the targets last, and heartbeats do not wait on each other.
    const alerts = readFileSync(syslogFile).subarray(syslogAtStart).toString('utf8').split('\n').filter((l) => l.includes(' failguard'));
    expect(alerts.some((l) => l.includes('event="source-serving"'))).toBe(true);
    expect(alerts.filter((l) => l.includes('event="monitor-source-lost"'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();

    // At least twelve screenshots, each a real picture.
    expect(shots.length).toBeGreaterThanOrEqual(12);
    for (const f of shots) expect(statSync(f).size, f).toBeGreaterThan(10_000);

    // No file the app wrote, and nothing it printed, holds the directory password or the key's passphrase in the clear or in base64.
    const needles = [password, Buffer.from(password).toString('base64'), passphrase, Buffer.from(passphrase).toString('base64')];
    const files = filesUnder(ui.served().dataDir);
    expect(files.some((f) => f.endsWith('secrets.json'))).toBe(true);
    expect(files.length).toBeGreaterThan(10);
    const leaks = files.filter((f) => { const b = readFileSync(f); return needles.some((n) => b.includes(n)); });
    expect(leaks).toEqual([]);
    expect(needles.some((n) => ui.served().output().includes(n))).toBe(false);
  }, 1_500_000);
});
