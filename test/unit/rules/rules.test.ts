import { planIntact } from '../../../electron/plans/plan-id.ts';
import { describeStep } from '../../../shared/plan.ts';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { RULES } from '../../../electron/preflight/rules/index.ts';
import { ruleInfo } from '../../../electron/preflight/rule.ts';
import { goodFacts, goodWindowsFacts } from './facts-builder.ts';
import { FAIL } from './cases.ts';
import { parseLinuxFacts } from '../../../electron/hosts/linux/facts.ts';

const ids = RULES.map((r) => r.meta.id);
const goodLinuxFacts = goodFacts;

describe('the rule catalog', () => {
  it('has at least 60 rules in at least 8 categories, 60% with an automatic fix', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(RULES.map((r) => r.meta.category)).size).toBeGreaterThanOrEqual(8);
    expect(RULES.filter((r) => r.fix).length / RULES.length).toBeGreaterThanOrEqual(0.6);
  });

  it('names each rule file by its permanent id, sorted, each id once', () => {
    const files = readdirSync(new URL('../../../electron/preflight/rules/', import.meta.url)).filter((f) => f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
    expect(ids).toEqual(files.sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('fails when a rule lacks its doc entry or its test case', () => {
    for (const r of RULES) {
      const doc = new URL(`../../../docs/rules/${r.meta.id}.md`, import.meta.url);
      expect(existsSync(doc), `docs/rules/${r.meta.id}.md`).toBe(true);
      const text = readFileSync(doc, 'utf8');
      expect(text).toContain(`# ${r.meta.id}`);
      expect(text).toContain(r.meta.resolution);
      expect(FAIL[r.meta.id], `a failing case for ${r.meta.id}`).toBeTypeOf('function');
    }
    expect(Object.keys(FAIL).filter((k) => !ids.includes(k))).toEqual([]);
  });

  it('gives every rule a title, a rationale and a resolution', () => {
    for (const r of RULES.map(ruleInfo)) {
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
      expect(r.resolution.length, r.id).toBeGreaterThan(10);
    }
  });
});

describe.each(RULES.map((r) => [r.meta.id, r] as const))('%s', (_id, rule) => {
  // Windows rules judge recorded Exchange 2019 outputs; every other rule the recorded lab hosts.
  const goodFacts = rule.meta.platform === 'windows' ? goodWindowsFacts : goodLinuxFacts;
  it('passes on a good set-up', () => {
    const findings = rule.evaluate(goodFacts());
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.outcome).filter((o) => o !== 'pass' && o !== 'not-applicable'), JSON.stringify(findings)).toEqual([]);
    expect(findings.some((f) => f.outcome === 'pass')).toBe(true);
  });

  it('catches the broken fact, with evidence, as its severity says', () => {
    const f = goodFacts();
    FAIL[rule.meta.id]!(f);
    const bad = rule.evaluate(f).filter((x) => x.outcome !== 'pass' && x.outcome !== 'not-applicable');
    expect(bad.length, JSON.stringify(rule.evaluate(f))).toBeGreaterThan(0);
    expect(bad.every((x) => x.outcome === (rule.meta.severity === 'error' ? 'failure' : 'warning'))).toBe(true);
    if (rule.meta.id !== 'ssh-reachable' && rule.meta.id !== 'witness-separate') expect(bad.every((x) => x.evidence.length > 0)).toBe(true);
  });

  it('reports a failed probe as an error, never as a pass or a failure', () => {
    const f = goodFacts();
    // Exactly what gather.ts makes of a host whose probe failed or hung: reached over SSH, nothing else known.
    const failedProbe = (h: typeof f.source) => ({ role: h.role, name: h.name, address: h.address, paths: [], reach: h.reach, probeError: `the probe of ${h.name} did not finish within 60 s` });
    f.source = failedProbe(f.source);
    f.targets = f.targets.map(failedProbe);
    f.witness = f.witness && failedProbe(f.witness);
    const failed = { ok: false as const, error: 'timeout', command: 'x', raw: '' };
    f.directory!.topology = { ...failed, error: 'LDAP timeout' };
    for (const k of Object.keys(f.directory!.dns.forward)) f.directory!.dns.forward[k] = failed;
    for (const k of Object.keys(f.directory!.dns.reverse)) f.directory!.dns.reverse[k] = failed;
    f.directory!.dns.clientA = failed;
    f.directory!.dns.mx = failed;
    for (const d of f.choices!.dns) Object.assign(d, { values: failed, writable: d.writable && failed, keyTest: d.keyTest && failed });
    const outcomes = rule.evaluate(f).map((x) => x.outcome);
    // Two rules need no probe: whether SSH answered, and whether the witness is a host of its own; they still judge (and pass).
    if (rule.meta.id === 'ssh-reachable') return expect(outcomes).toEqual(['pass', 'pass', 'pass']);
    if (rule.meta.id === 'witness-separate') return expect(outcomes).toEqual(['pass']);
    // Every other rule that judged the good set-up now says "error" at least once, and nothing else but "not applicable".
    expect(outcomes.filter((o) => o === 'error').length, outcomes.join()).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'error' && o !== 'not-applicable'), outcomes.join()).toEqual([]);
  });

  it.runIf(!!rule.fix)('plans a fix for what it caught: exact commands on named hosts', () => {
    const f = goodFacts();
    FAIL[rule.meta.id]!(f);
    const bad = rule.evaluate(f).filter((x) => x.outcome === 'failure' || x.outcome === 'warning');
    const plans = bad.map((x) => rule.fix!.plan(f, x));
    // A fix may decline a case it cannot repair honestly (volume-free-space without spare device space).
    if (rule.meta.id === 'volume-free-space') return expect(plans).toEqual([null]);
    for (const p of plans) {
      expect(p).not.toBeNull();
      expect(p!.ruleId).toBe(rule.meta.id);
      expect(p!.kind).toBe(rule.fix!.kind);
      expect(p!.steps.length).toBeGreaterThan(0);
      expect(planIntact(p!), 'the id is the hash of the content').toBe(true);
      expect(p!.onFailure).toBe('undo');
      for (const s of p!.steps) {
        if (s.kind === 'command') expect(s.command.trim().length).toBeGreaterThan(3);
        else expect(s.kind === 'dns-record' ? s.values.join(' ') : s.kind === 'directory-modify' ? s.dn : s.kind === 'rehome' ? s.toDatabase : s.remotePath).toMatch(/\S{3}/);
        expect(describeStep(s).action.length).toBeGreaterThan(3);
      }
    }
  });
});

describe('the Linux probe parser', () => {
  it('takes the mount on top when several are stacked on /srv (what programs see)', () => {
    const text = readFileSync(new URL('../../fixtures/linux-probe/mail2.txt', import.meta.url), 'utf8')
      .replace(/(@@FG srv-mount 0\n)(.*\n)/, '$1$2/srv   tmpfs tmpfs  rw,relatime,size=65536k\n');
    const m = parseLinuxFacts(text).srvMount;
    expect(m.ok && m.value).toMatchObject({ source: 'tmpfs', fstype: 'tmpfs' });
  });
});
