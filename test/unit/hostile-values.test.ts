/**
 * Hostile values through every builder of commands, scripts, DNs and file names. Shell text is
 * judged by bash itself: each command runs in a private mount namespace (a scratch /etc) with no
 * PATH, so every program it would start is recorded (argv) instead of run; a value that became
 * code shows up as a program named `fg_pwned`. PowerShell is checked against its quoting rule.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { psq, shellCommand, shq } from '../../shared/quote.ts';
import { pathProbeScript } from '../../electron/hosts/linux/path-probe.ts';
import { agentCommand } from '../../electron/provision/host-layout.ts';
import { iptablesCommand, iptablesWords } from '../../electron/preflight/iptables-rule.ts';
import { RULES } from '../../electron/preflight/rules/index.ts';
import { dnOf, escapeDnValue, parseDn } from '../../shared/dn.ts';
import { nodeDn } from '../../electron/directory/dns-write.ts';
import { hostFileName } from '../../electron/provision/host-file-name.ts';
import { createCa, issueAgentCertificate } from '../../electron/provision/pki.ts';
import { goodFacts, goodWindowsFacts } from './rules/facts-builder.ts';
import { commands, errors, powershell } from './powershell.ts';
import { FAIL } from './rules/cases.ts';
import type { PreflightFacts } from '../../electron/preflight/facts.ts';

/** Values that become code wherever quoting is missing or wrong (each would run `fg_pwned`). */
export const HOSTILE = [
  '$(fg_pwned)', '`fg_pwned`', 'a;fg_pwned;b', 'a|fg_pwned', 'a&&fg_pwned', 'x\nfg_pwned\n', "q'$(fg_pwned)'q", 'd"$(fg_pwned)"d',
  'x|e fg_pwned #', 'a&b\\c|d', '../../etc/x', '-rf', ' lead', 'trail ', '$HOME', '*', '#c', '\u2019;fg_pwned;\u2019', 'a b\tc',
];

const scratch = mkdtempSync(join(tmpdir(), 'fg-hostile-'));
let runs = 0;

/**
 * Runs shell text under bash with no PATH in a scratch /etc; returns the argv of every program it
 * would have started (programs named by absolute path in `absolute` are recorded too).
 */
function recorded(text: string, absolute: string[] = [], o: { path?: string; setup?: string } = {}): { argv: string[][]; syntaxOk: boolean; code: number } {
  const rec = join(scratch, `rec-${++runs}`);
  const syntax = spawnSync('bash', ['-n', '-c', text]);
  const record = 'printf \'%s\\037\' "$@" >> "$FG_REC"; printf \'\\036\' >> "$FG_REC"';
  const prelude = [
    // A scratch /etc (a failed mount stops everything: nothing may touch this machine's /etc), keeping the tools' alternatives.
    `mkdir -p ${scratch}/alt && mount --bind /etc/alternatives ${scratch}/alt && mount -t tmpfs tmpfs /etc || exit 97`,
    `mkdir -p /etc/dovecot /etc/failguard /etc/alternatives && mount --bind ${scratch}/alt /etc/alternatives || exit 97`,
    o.setup ?? '',
    `command_not_found_handle() { ${record}; return 0; }`,
    ...absolute.map((p) => `function ${p} { set -- ${shq(p)} "$@"; ${record}; }`),
    `export PATH=${o.path ?? '/nonexistent'}`,
  ].join('\n');
  // A sentinel program before the text proves the sandbox ran it (an empty record would otherwise pass).
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', `${prelude}\nfg_sandbox_ran\n${text}`], { env: { FG_REC: rec }, encoding: 'utf8' });
  const raw = existsSync(rec) ? readFileSync(rec, 'utf8') : '';
  if (r.status === 97) throw new Error(`the scratch /etc could not be set up: ${r.stderr}`);
  const all = raw.split('\x1e').filter((x) => x !== '').map((x) => x.split('\x1f').slice(0, -1));
  if (all[0]?.[0] !== 'fg_sandbox_ran') throw new Error(`the sandbox did not run (${r.stderr})`);
  return { argv: all.slice(1), syntaxOk: syntax.status === 0, code: r.status ?? -1 };
}

/**
 * Programs a value became: one named fg_pwned, or a value spliced into a program's code — the
 * script after `-c` (sh, bash, also behind timeout or env), or an awk program.
 */
const pwned = (argv: string[][]) => argv.filter((a) => a[0] === 'fg_pwned' || a.some((w, i) => i > 0 && a[i - 1] === '-c' && w.includes('fg_pwned')) || (a[0] === 'awk' && (a.find((w, i) => i > 0 && !w.startsWith('-')) ?? '').includes('fg_pwned')));

describe('the quoting helpers', () => {
  it('shellCommand: bash reads back exactly the words given, whatever they hold', () => {
    for (const v of HOSTILE) {
      const r = recorded(shellCommand(['prog', v, 'x', v]));
      expect(r.argv, JSON.stringify(v)).toEqual([['prog', v, 'x', v]]);
    }
  });

  it('psq: every quote PowerShell knows is doubled inside the literal, so the value is one string', () => {
    for (const v of [...HOSTILE, "it's", 'a\u2018b\u2019c\u201Ad\u201Be']) {
      const q = psq(v);
      expect(q.startsWith("'") && q.endsWith("'")).toBe(true);
      const inner = q.slice(1, -1);
      // Reading the literal as PowerShell does: a doubled quote character is one, a lone one would end it.
      let read = '';
      for (let i = 0; i < inner.length; i++) {
        const c = inner[i]!;
        if (/['\u2018\u2019\u201A\u201B]/.test(c)) {
          expect(inner[i + 1], `${JSON.stringify(v)}: a lone ${c} ends the string`).toBe(c);
          i++;
        }
        read += c;
      }
      expect(read).toBe(v);
    }
  });
});

describe('command and script builders', () => {
  it('the path probe: hostile peer names and addresses and DC reach tcp/ping only as single arguments', () => {
    const peers = HOSTILE.map((v, i) => ({ name: `n${v}`, address: `198.18.0.${i}${v}` }));
    const dc = `198.18.0.10${HOSTILE[0]}`;
    const r = recorded(pathProbeScript(peers, 7420, dc));
    expect(r.syntaxOk).toBe(true);
    expect(pwned(r.argv)).toEqual([]);
    const tcp = r.argv.filter((a) => a[0] === 'timeout');
    expect(tcp).toEqual(expect.arrayContaining(peers.map((p) => ['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', p.address, '7420'])));
    expect(tcp).toContainEqual(['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', dc, '636']);
    // Every address reached ping whole (one word), never split or expanded.
    const pinged = new Set(r.argv.filter((a) => a[0] === 'ping').map((a) => a.at(-1)));
    for (const p of peers) expect(pinged.has(p.address), p.address).toBe(true);
  });

  it('the agent\'s commands in plans (handover, set-aside-diverged): the name is one argument', () => {
    for (const v of HOSTILE) {
      const r = recorded(agentCommand('handover', v), ['/opt/failguard/bin/node']);
      expect(r.argv, JSON.stringify(v)).toEqual([['/opt/failguard/bin/node', '/opt/failguard/agent.mjs', 'handover', '/etc/failguard/agent.json', v]]);
    }
  });

  it('iptables rules from a host\'s output: a comment stays one word', () => {
    for (const v of HOSTILE.filter((x) => !x.includes('\n'))) {
      // iptables prints a comment in double quotes, with \ and " escaped.
      const printed = `-A INPUT -p tcp -m comment --comment "${v.replace(/[\\"]/g, '\\$&')}" -j DROP`;
      expect(iptablesWords(printed)).toEqual(['-A', 'INPUT', '-p', 'tcp', '-m', 'comment', '--comment', v, '-j', 'DROP']);
      expect(recorded(iptablesCommand(printed, '-D')).argv).toEqual([['iptables', '-D', 'INPUT', '-p', 'tcp', '-m', 'comment', '--comment', v, '-j', 'DROP']]);
    }
  });

  it('the Dovecot fix writes the value as text, byte for byte, and runs nothing else (awk run for real)', () => {
    const rule = RULES.find((r) => r.meta.id === 'dovecot-mail-location-match')!;
    for (const v of HOSTILE.filter((x) => !/[\r\n]/.test(x))) {
      const f = goodFacts();
      const src = f.source.linux!.dovecot;
      if (src.ok) src.value.mail_location = v;
      const x = rule.evaluate(f).find((y) => y.outcome === 'failure')!;
      const step = rule.fix!.plan(f, x)!.steps[0]!;
      if (step.kind !== 'command') throw new Error('a command step');
      const mark = join(scratch, `mark-${++runs}`);
      const out = join(scratch, `out-${runs}`);
      const conf = 'mail_location = maildir:~/Maildir\nprotocols = imap\n';
      // Here fg_pwned is a program that would leave a mark: the fix runs with the system's tools on the scratch /etc.
      const r = recorded(`fg_pwned() { : > ${mark}; }; ${step.command}; cat /etc/dovecot/dovecot.conf > ${out}`, [], { path: '/usr/bin:/bin', setup: `printf %s ${shq(conf)} > /etc/dovecot/dovecot.conf` });
      expect(r.code, JSON.stringify(v)).toBe(0);
      expect(existsSync(mark), JSON.stringify(v)).toBe(false);
      expect(readFileSync(out, 'utf8')).toBe(`mail_location = ${v}\nprotocols = imap\n`);
    }
  });
});

/** Every string the probes or the directory gave, with a hostile tail (host names, paths, settings, rules, links…). */
const KEEP = ['role', 'kind', 'outcome', 'status', 'platform', 'command', 'raw', 'error', 'address', 'fstype', 'state'];
/**
 * Which strings stay as they are, tried in turn per rule: all but the structural ones first; where
 * a rule can no longer tell what failed (a path it looks for, a rule's own text), that key too.
 */
const ENUMS = new Set(['lo', 'open', 'refused', 'filtered']);
const KEEPS = [KEEP, [...KEEP, 'path'], [...KEEP, 'iptables'], [...KEEP, 'type', 'operstate', 'master']];

function poisoned(f: PreflightFacts, tail: string, keepKeys: readonly string[] = KEEP): PreflightFacts {
  const keep = new Set(keepKeys);
  // Records keyed by a host's name stay keyed by its (now hostile) name.
  // (Not the facts' own fields of the same spelling: the witness is called "witness".)
  const names = new Set([f.source.name, ...f.targets.map((t) => t.name), ...(f.witness ? [f.witness.name] : [])].filter((n) => !['source', 'targets', 'witness'].includes(n)));
  const walk = (v: unknown, key: string): unknown => {
    // Enumerations a probe reports (a port's state, the loopback link) are what rules judge by: they stay.
    if (typeof v === 'string') return keep.has(key) || ENUMS.has(v) ? v : `${v}${tail}`;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [names.has(k) ? `${k}${tail}` : k, walk(x, k)]));
    return v;
  };
  return walk(f, '') as PreflightFacts;
}

describe('every pre-flight fix, on facts whose every string is hostile', () => {
  const fixes = RULES.filter((r) => r.fix && FAIL[r.meta.id]);
  it.each(['$(fg_pwned)', "'$(fg_pwned)'", ';fg_pwned;', '`fg_pwned`', '"$(fg_pwned)"', '\u2019;fg_pwned;\u2019'])('tail %s: no command, verify or undo runs anything but what it names', async (tail) => {
    const ps = await powershell();
    let carried = 0;
    let scripts = 0;
    const silent: string[] = [];
    let total = 0;
    for (const rule of fixes) {
      const good = rule.meta.platform === 'windows' ? goodWindowsFacts() : goodFacts();
      FAIL[rule.meta.id]!(good);
      const gives = (facts: PreflightFacts) => rule.evaluate(facts).filter((y) => y.outcome === 'failure' || y.outcome === 'warning').some((x) => rule.fix!.plan(facts, x)?.steps.some((s) => s.kind === 'command'));
      // Whether this fix gives command steps at all on plain failing facts (some write DNS or the directory instead).
      const plain = gives(good);
      const f = KEEPS.map((k) => poisoned(good, tail, k)).find(gives) ?? poisoned(good, tail);
      const before = total;
      for (const x of rule.evaluate(f).filter((y) => y.outcome === 'failure' || y.outcome === 'warning')) {
        const p = rule.fix!.plan(f, x);
        for (const s of p?.steps ?? []) {
          if (s.kind !== 'command') continue;
          for (const text of [s.command, s.verify, s.undo].filter((t): t is string => !!t)) {
            total++;
            const encoded = /-EncodedCommand (\S+)$/.exec(text)?.[1];
            if (encoded) {
              // PowerShell: parsed by its grammar, it runs no command named by a value.
              const script = Buffer.from(encoded, 'base64').toString('utf16le');
              if (script.includes('fg_pwned')) scripts++;
              const root = ps.parse(script)!.rootNode;
              expect(errors(root), `${rule.meta.id}: ${script}`).toEqual([]);
              expect(commands(root), `${rule.meta.id}: ${script}`).not.toContain('fg_pwned');
              continue;
            }
            expect(text, `${rule.meta.id}: PowerShell goes encoded`).not.toMatch(/^powershell/);
            if (text.includes('fg_pwned')) carried++;
            const r = recorded(text, ['/opt/failguard/bin/node', '/opt/failguard/agentd']);
            expect(r.syntaxOk, `${rule.meta.id}: ${text}`).toBe(true);
            expect(pwned(r.argv), `${rule.meta.id}: ${text}`).toEqual([]);
          }
        }
      }
      if (plain && total === before) silent.push(rule.meta.id);
    }
    // Not vacuous: every fix that gives commands gave them on hostile facts too, and hostile values reached many.
    expect(silent, 'fixes whose commands the hostile facts silenced').toEqual([]);
    expect(total).toBeGreaterThan(40);
    expect(carried).toBeGreaterThan(10);
    expect(scripts).toBeGreaterThan(0);
  }, 120_000);
});

describe('DNs, certificate names and file names', () => {
  it('a DN value never adds an RDN: parsed back, the DN has exactly the RDNs built', () => {
    for (const v of HOSTILE.filter((x) => x.trim() === x).concat(['a,DC=evil', 'x+CN=y', '#start', 'a=b', 'x<y>;z', 'n\0ul'])) {
      const dn = dnOf([['DC', v], ['DC', 'lab.test']], 'CN=MicrosoftDNS,DC=DomainDnsZones,DC=lab,DC=test');
      expect(parseDn(dn).map((r) => [r.type, r.value]), dn).toEqual([['DC', v], ['DC', 'lab.test'], ['CN', 'MicrosoftDNS'], ['DC', 'DomainDnsZones'], ['DC', 'lab'], ['DC', 'test']]);
      expect(nodeDn('lab.test', v, 'DC=lab,DC=test')).toBe(`DC=${escapeDnValue(v)},DC=lab.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=lab,DC=test`);
    }
    expect(escapeDnValue(' x ')).toBe('\\ x\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
  });

  it('an agent certificate for a hostile name has that name as its CN and the job as its only O', async () => {
    const ca = await createCa('0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11');
    const host = 'MAIL2, O=evil+OU=x';
    const c = new X509Certificate((await issueAgentCertificate(ca, { jobId: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', host, addresses: ['198.18.0.12'] })).certPem);
    const fields = c.subject.split('\n');
    expect(fields.filter((l) => l.startsWith('O='))).toEqual(['O=0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11']);
    expect(fields.filter((l) => l.startsWith('CN='))).toHaveLength(1);
    expect(fields.some((l) => l.startsWith('OU='))).toBe(false);
  });

  it('a host name becomes a file name only when it is a plain name', () => {
    expect(hostFileName('MAIL2')).toBe('mail2');
    for (const v of ['x/../ca', '../ca', 'a/b', "a'b", 'a b', '', '.', '..', 'a..b', '$(fg_pwned)']) expect(() => hostFileName(v), v).toThrow(/cannot name a host's files/);
  });
});
