/**
 * The supervisor script provisioning installs (`agentd`), run for real: `admission on|off|status`
 * against this machine's Postfix and Dovecot tools, and `boot on|off|status` through Debian's
 * update-rc.d — each in a private mount namespace over scratch copies of /etc/postfix,
 * /etc/dovecot, /etc/failguard and the runlevel folders, so nothing of this machine changes.
 * The systemd branch cannot run here (no systemd): it is not run live.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_OLD_SPACE_MB, AGENTD } from '../../electron/provision/host-layout.ts';
import { parseEvents, type AgentEvent } from '../../shared/agent-events.ts';
import { SUPERVISOR_POLL_S, SUPERVISOR_STALE_CHECKS } from '../../shared/supervisor-pace.ts';

const RUNLEVELS = ['0', '1', '2', '3', '4', '5', '6', 'S'];
const MAIN_CF = 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n';
const DOVECOT_CONF = 'protocols = imap\nlisten = 127.0.0.1\nbase_dir = /run/fg-agentd-test\n';

/** A scratch /etc: Postfix's and Dovecot's configuration, Failguard's folder, init scripts and runlevel links. */
function scratch(o: { mainCf?: string; masterCf?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'fg-agentd-'));
  mkdirSync(join(root, 'postfix'));
  writeFileSync(join(root, 'postfix/main.cf'), o.mainCf ?? MAIN_CF);
  writeFileSync(join(root, 'postfix/master.cf'), o.masterCf ?? 'smtp      inet  n       -       n       -       -       smtpd\n');
  mkdirSync(join(root, 'dovecot'));
  writeFileSync(join(root, 'dovecot/dovecot.conf'), DOVECOT_CONF);
  mkdirSync(join(root, 'failguard'));
  mkdirSync(join(root, 'init.d'));
  for (const r of RUNLEVELS) mkdirSync(join(root, `rc${r}.d`));
  for (const svc of ['dovecot', 'postfix']) {
    writeFileSync(join(root, 'init.d', svc), `#!/bin/sh\n### BEGIN INIT INFO\n# Provides: ${svc}\n# Required-Start: $local_fs\n# Required-Stop: $local_fs\n# Default-Start: 2 3 4 5\n# Default-Stop: 0 1 6\n### END INIT INFO\nexit 0\n`, { mode: 0o755 });
    for (const r of ['0', '1', '2', '3', '4', '5', '6']) symlinkSync(`../init.d/${svc}`, join(root, `rc${r}.d`, `${['0', '1', '6'].includes(r) ? 'K' : 'S'}01${svc}`));
  }
  writeFileSync(join(root, 'agentd'), AGENTD, { mode: 0o755 });
  return root;
}

/** Runs `agentd ARGS` for each line of `calls` inside the scratch /etc; each call's exit code and stderr. */
function agentd(root: string, calls: string[]): Array<{ code: number; err: string }> {
  const mounts = ['postfix', 'dovecot', 'failguard', 'init.d', ...RUNLEVELS.map((r) => `rc${r}.d`)].map((d) => `mount --bind ${root}/${d} /etc/${d}`).join('\n');
  const body = calls.map((c, i) => `sh ${root}/agentd ${c} 2>${root}/err${i}; echo "rc${i}=$?"`).join('\n');
  // /etc itself becomes a private overlay first, so that mount points this machine lacks (/etc/failguard) are made there, not here.
  const overlay = `mkdir -p ${root}/.upper ${root}/.work && mount -t overlay overlay -o lowerdir=/etc,upperdir=${root}/.upper,workdir=${root}/.work /etc && mkdir -p /etc/failguard`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', `set -e\n${overlay}\n${mounts}\nset +e\n${body}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unshare failed: ${r.stderr}`);
  return calls.map((_, i) => ({ code: Number(new RegExp(`^rc${i}=(\\d+)$`, 'm').exec(r.stdout)?.[1] ?? -1), err: readFileSync(join(root, `err${i}`), 'utf8').trim() }));
}

const links = (root: string) => RUNLEVELS.flatMap((r) => readdirSync(join(root, `rc${r}.d`)).sort().map((f) => `rc${r}.d/${f} -> ${readlinkSync(join(root, `rc${r}.d`, f))}`));
const read = (root: string, f: string) => readFileSync(join(root, f), 'utf8');

describe('agentd admission: Postfix and Dovecot ask the agent, and off puts them back byte for byte', () => {
  it.each([
    ['restrictions not set', MAIN_CF],
    ['restrictions of the admin\'s own', `${MAIN_CF}smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n`],
  ])('%s', (_name, mainCf) => {
    const root = scratch({ mainCf });
    const [on, status, again] = agentd(root, ['admission on', 'admission status', 'admission on']);
    expect([on!.code, status!.code, again!.code]).toEqual([0, 0, 0]);
    expect(read(root, 'postfix/main.cf')).toMatch(/^failguard_admission = check_policy_service \{ inet:127\.0\.0\.1:740, timeout=5s, default_action=DEFER \}$/m);
    expect(read(root, 'postfix/main.cf')).toMatch(/^smtpd_recipient_restrictions = \$failguard_admission(, permit_mynetworks, reject_unauth_destination)?$/m);
    expect(read(root, 'dovecot/dovecot.conf').split('\n').filter((l) => l.startsWith('!include_try'))).toEqual(['!include_try /etc/dovecot/failguard-admission.conf']);
    expect(read(root, 'dovecot/failguard-admission.conf')).toMatch(/^auth_policy_server_url = http:\/\/127\.0\.0\.1:741\/$/m);
    expect(read(root, 'dovecot/failguard-admission.conf')).toMatch(/^auth_policy_reject_on_fail = yes$/m);
    const [off, after] = agentd(root, ['admission off', 'admission status']);
    expect([off!.code, after!.code]).toEqual([0, 1]);
    expect(read(root, 'postfix/main.cf')).toBe(mainCf);
    expect(read(root, 'dovecot/dovecot.conf')).toBe(DOVECOT_CONF);
    expect(readdirSync(join(root, 'dovecot'))).toEqual(['dovecot.conf']);
  });

  it('an older question (no default action of its own) is brought up to date by on; status says it is not up to date before', () => {
    const root = scratch({ mainCf: `${MAIN_CF}failguard_admission = check_policy_service { inet:127.0.0.1:740, timeout=5s }\nsmtpd_recipient_restrictions = $failguard_admission, permit_mynetworks\n` });
    const [before, on, after] = agentd(root, ['admission status', 'admission on', 'admission status']);
    expect([before!.code, on!.code, after!.code]).toEqual([1, 0, 0]);
    expect(read(root, 'postfix/main.cf')).toMatch(/^failguard_admission = check_policy_service \{ inet:127\.0\.0\.1:740, timeout=5s, default_action=DEFER \}$/m);
    expect(read(root, 'postfix/main.cf')).toMatch(/^smtpd_recipient_restrictions = \$failguard_admission, permit_mynetworks$/m);
  });

  it('without its record of what was there, off takes out only Failguard\'s part', () => {
    const root = scratch({ mainCf: `${MAIN_CF}smtpd_recipient_restrictions = permit_mynetworks\n` });
    agentd(root, ['admission on']);
    // The record is lost (a person cleaned /etc/failguard): the admin's own restriction must survive.
    const [off] = agentd(root, ['admission off']);
    expect(off!.code).toBe(0);
    expect(read(root, 'postfix/main.cf')).toMatch(/^smtpd_recipient_restrictions = permit_mynetworks$/m);
    expect(read(root, 'postfix/main.cf')).not.toMatch(/failguard/);
  });

  it('refuses, in one sentence and changing nothing, where a service in master.cf has restrictions of its own', () => {
    const root = scratch({ masterCf: 'submission inet n       -       n       -       -       smtpd\n  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n' });
    const [on] = agentd(root, ['admission on']);
    expect(on!.code).toBe(3);
    expect(on!.err).toMatch(/^Postfix's master\.cf gives submission\/inet +smtpd_recipient_restrictions of their own, so mail taken there would not ask Failguard's agent;/);
    expect(read(root, 'postfix/main.cf')).toBe(MAIN_CF);
  });
});

describe('agentd boot (SysV, through update-rc.d): the agent starts at boot and the mail services do not; off puts every link back', () => {
  it('on, status, off', () => {
    const root = scratch();
    const before = links(root);
    const [on, status, statusOff] = agentd(root, ['boot on dovecot postfix', 'boot status dovecot postfix', 'admission status']);
    expect([on!.code, status!.code]).toEqual([0, 0]);
    expect(statusOff!.code).toBe(1);
    const during = links(root);
    expect(during.filter((l) => /^rc2\.d\/S/.test(l))).toEqual(['rc2.d/S01failguard-agent -> ../init.d/failguard-agent']);
    expect(during.filter((l) => /^rc2\.d\/K/.test(l)).map((l) => l.replace(/ ->.*/, ''))).toEqual(['rc2.d/K01dovecot', 'rc2.d/K01postfix']);
    expect(read(root, 'init.d/failguard-agent')).toMatch(/exec \/opt\/failguard\/agentd "\$1"/);
    expect(read(root, 'failguard/boot.prev').trim().split('\n')).toEqual(['dovecot', 'postfix']);
    const [off, after] = agentd(root, ['boot off', 'boot status dovecot postfix']);
    expect([off!.code, after!.code]).toEqual([0, 1]);
    expect(links(root)).toEqual(before);
    expect(readdirSync(join(root, 'init.d')).sort()).toEqual(['dovecot', 'postfix']);
  });
});

/** A stand-in's first line: Node's own options (before the script) are Node's, so the stand-in's arguments start at the script. */
const SKIP_NODE_OPTIONS = 'while [ "${1#--}" != "$1" ]; do shift; done';

/**
 * Runs `body` under the supervisor as provisioning installs it, with `agent` (a shell script) standing in for
 * the agent's runtime: in private mount and PID namespaces, over a scratch /var/lib, /opt and /run.
 */
function withStandIn(agent: string, body: string): { stdout: string; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), 'fg-supervise-'));
  writeFileSync(join(root, 'node'), agent, { mode: 0o755 });
  writeFileSync(join(root, 'agentd'), AGENTD, { mode: 0o755 });
  const script = `set -e
mkdir -p ${root}/.upper ${root}/.work && mount -t overlay overlay -o lowerdir=/var/lib,upperdir=${root}/.upper,workdir=${root}/.work /var/lib
mount -t tmpfs tmpfs /opt; mount -t tmpfs tmpfs /run; mkdir -p /opt/failguard/bin /var/lib/failguard
cp ${root}/node /opt/failguard/bin/node; touch /opt/failguard/agent.mjs; cp ${root}/agentd /opt/failguard/agentd
set +e
${body}`;
  const r = spawnSync('unshare', ['-m', '-p', '-f', '--mount-proc', '--propagation', 'private', 'bash', '-c', script], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr };
}

describe('agentd supervise: it outlives a stamp caught half-written, and stops its agent before it exits', () => {
  it('a fake agent rewriting its stamp in place (empty for an instant) keeps its supervisor; stop leaves no agent behind', () => {
    // The agent stand-in: empties its stamp and fills it again many times a second, and takes 2 s to stop on TERM.
    const r = withStandIn(`#!/bin/sh\ntrap 'sleep 2; exit 0' TERM\nwhile :; do : > /var/lib/failguard/alive; cut -d' ' -f1 /proc/uptime > /var/lib/failguard/alive; done\n`, `/opt/failguard/agentd start; echo "start=$?"
alive=0; for i in $(seq 30); do sleep 0.2; /opt/failguard/agentd status && alive=$((alive + 1)); done; echo "alive=$alive"
/opt/failguard/agentd stop; echo "stop=$?"
echo "left=$(pgrep -fc '^/bin/sh /opt/failguard/bin/node' || true)"`);
    const said = Object.fromEntries([...r.stdout.matchAll(/^(\w+)=(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(said, r.stdout + r.stderr).toEqual({ start: 0, alive: 30, stop: 0, left: 0 });
  });
});

describe('agentd supervise: the daemon\'s heap', () => {
  it(`starts the agent with its old generation at ${AGENT_OLD_SPACE_MB} MB (a small one ran a full collection every half second while a send streamed)`, () => {
    const r = withStandIn(`#!/bin/sh\necho "$@" > /var/lib/failguard/args\nwhile :; do cut -d' ' -f1 /proc/uptime > /var/lib/failguard/alive; sleep 0.2; done\n`, `/opt/failguard/agentd start; for i in $(seq 100); do [ -s /var/lib/failguard/args ] && break; sleep 0.1; done
echo "args=$(cat /var/lib/failguard/args)"; /opt/failguard/agentd stop; echo "stop=$?"`);
    expect(r.stdout.match(/^args=(.*)$/m)?.[1], r.stdout + r.stderr).toBe(`--initial-old-space-size=${AGENT_OLD_SPACE_MB} /opt/failguard/agent.mjs run /etc/failguard/agent.json`);
    expect(r.stdout).toMatch(/^stop=0$/m);
  });

  it('stop\'s last resort finds an agent with the flag and one an earlier supervisor started without it, and no other', () => {
    const line = /pkill -KILL -f "(.*)" 2>\/dev\/null; exit 0/.exec(AGENTD)?.[1];
    expect(line).toBeDefined();
    // The pattern as the shell expands it, tried on each command line with grep -E (pkill's regular expressions).
    const vars = /^NODE=.*$/m.exec(AGENTD)![0] + `\n${/^HEAP=.*$/m.exec(AGENTD)![0]}`;
    const pattern = spawnSync('sh', ['-c', `${vars}\nprintf '%s' "${line}"`], { encoding: 'utf8' }).stdout;
    const matches = (cmdline: string) => spawnSync('grep', ['-qE', pattern], { input: cmdline }).status === 0;
    expect(pattern).toContain('--initial-old-space-size');
    expect([
      `/opt/failguard/bin/node --initial-old-space-size=${AGENT_OLD_SPACE_MB} /opt/failguard/agent.mjs run /etc/failguard/agent.json`,
      '/opt/failguard/bin/node /opt/failguard/agent.mjs run /etc/failguard/agent.json',
      '/opt/failguard/bin/node /opt/failguard/agent.mjs status /etc/failguard/agent.json',
      '/opt/failguard/bin/node /opt/failguard/agent.mjs run /etc/failguard/other.json',
      '/bin/sh /opt/failguard/bin/node /opt/failguard/agent.mjs run /etc/failguard/agent.json',
    ].map(matches)).toEqual([true, true, false, false, false]);
  });
});

describe('agentd supervise: a stamp older than the fence time its agent wrote stops the agent and the services', () => {
  /** A stand-in agent (called as node AGENT run|unserve CONF) that writes one stamp "UPTIME F" and then hangs; `unserve` records when it ran (boot-clock seconds). */
  const hangs = (f: number) => `#!/bin/sh
${SKIP_NODE_OPTIONS}
case "$2" in
  run) echo "$(cut -d' ' -f1 /proc/uptime) ${f}" > /var/lib/failguard/alive; exec sleep 600 ;;
  unserve) [ "$4" = --fence ] && cut -d' ' -f1 /proc/uptime >> /var/lib/failguard/unserved ;;
esac
`;
  /** Writes its stamp "UPTIME+AHEAD F" five times a second and never hangs (a clock a little or far ahead of the supervisor's). */
  const ahead = (f: number, aheadS: number) => `#!/bin/sh
${SKIP_NODE_OPTIONS}
case "$2" in
  run) while :; do awk '{ printf "%.1f ${f}\\n", $1 + ${aheadS} }' /proc/uptime > /var/lib/failguard/alive.tmp; mv /var/lib/failguard/alive.tmp /var/lib/failguard/alive; sleep 0.2; done ;;
  unserve) [ "$4" = --fence ] && cut -d' ' -f1 /proc/uptime >> /var/lib/failguard/unserved ;;
esac
`;
  function supervise(f: number, watchS: number, agent = hangs(f)): { startedAt: number; unserved: number[]; events: AgentEvent[] } {
    const r = withStandIn(agent, `echo "started=$(cut -d' ' -f1 /proc/uptime)"
/opt/failguard/agentd start; echo "start=$?"; sleep 1; [ -s /var/lib/failguard/alive ] && echo "stamped=1"
sleep ${watchS}; /opt/failguard/agentd stop
for t in $(cat /var/lib/failguard/unserved 2>/dev/null); do echo "unserved=$t"; done
sed 's/^/event=/' /var/lib/failguard/events.jsonl 2>/dev/null`);
    const values = (k: string) => [...r.stdout.matchAll(new RegExp(`^${k}=([\\d.]+)$`, 'gm'))].map((m) => Number(m[1]));
    // The supervisor started, and the stand-in agent ran and wrote its stamp: "nothing stopped" can only mean it judged the stamp young.
    expect({ start: values('start')[0], stamped: values('stamped')[0] }, r.stdout + r.stderr).toEqual({ start: 0, stamped: 1 });
    return { startedAt: values('started')[0]!, unserved: values('unserved'), events: parseEvents(r.stdout.split('\n').filter((l) => l.startsWith('event=')).map((l) => l.slice(6)).join('\n')) };
  }

  it('F = 3: the services are stopped on the second look past F (looks every 0.5 s), long before the 10 s the supervisor allows a stamp without F', () => {
    // Watched 6.5 s in all: past the first kill (by 5.1 s), short of the restarted stand-in's own (8.5 s at the earliest).
    const r = supervise(3, 5.5);
    expect(r.unserved.length).toBeGreaterThanOrEqual(1);
    const after = r.unserved[0]! - r.startedAt;
    expect(after).toBeGreaterThan(3);
    // F, two looks, a tenth for the stamp's precision, and a second for the stand-in's start and a busy lab.
    expect(after).toBeLessThan(3 + SUPERVISOR_STALE_CHECKS * SUPERVISOR_POLL_S + 0.1 + 1);
    // Its record says why, as one of the agent's events (the dashboard and status read it).
    expect(r.events.map((e) => [e.kind, 'action' in e ? e.action : null])).toEqual([['supervisor', 'stale']]);
    expect(r.events[0]!.message).toMatch(/^the agent's liveness stamp is \d+\.\d s old/);
  });

  it('F = 30: a stamp 13 s old (past the 10 s default) is still young enough, nothing is stopped', () => {
    const r = supervise(30, 13);
    expect([r.unserved, r.events]).toEqual([[], []]);
  });

  it('a live agent whose stamp is a tenth ahead of the supervisor\'s reading (the two clocks\' precision) is left alone', () => {
    const r = supervise(3, 7, ahead(3, 0.1));
    expect([r.unserved, r.events]).toEqual([[], []]);
  });

  it('a stamp far in the future (written before a reboot) is no sign of life: the agent is stopped, and the record says why', () => {
    const r = supervise(3, 5.5, ahead(3, 100));
    expect(r.unserved.length).toBeGreaterThanOrEqual(1);
    expect(r.events.map((e) => [e.kind, 'action' in e ? e.action : null])).toEqual([['supervisor', 'stale']]);
    expect(r.events[0]!.message).toMatch(/^the agent's liveness stamp is from the future/);
  });
});
