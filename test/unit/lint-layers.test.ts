import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
async function ruleIds(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return (r?.messages ?? []).map((m) => m.ruleId ?? 'parse');
}

describe('lint enforces the layers', () => {
  it.each([
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n"],
    ['renderer/src/x.ts', "import { createHandlers } from '../../electron/backend/handlers.ts';\nexport const a = createHandlers;\n"],
    ['shared/x.ts', "import { join } from 'path';\nexport const a = join;\n"],
    ['shared/x.ts', "import { App } from '../renderer/src/components/App.tsx';\nexport const a = App;\n"],
    ['agent/x.ts', "import { UserError } from '../electron/backend/errors.ts';\nexport const a = UserError;\n"],
    ['agent/x.ts', "import { SshPool } from '../electron/hosts/ssh-pool.ts';\nexport const a = SshPool;\n"],
  ])('refuses %s importing across a layer', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('no-restricted-imports');
  });

  it('refuses I/O globals in shared/', async () => {
    expect(await ruleIds('shared/x.ts', "export const a = () => fetch('/x');\n")).toContain('no-restricted-globals');
  });

  it.each([
    ['a value in a template', 'export const s = (name: string) => ({ command: `hostname ${name}` });\n'],
    ['a value joined with +', "export const s = (name: string) => ({ verify: 'test -e ' + name });\n"],
    ['a value in one branch', 'export const s = (old?: string) => ({ undo: old ? `sysctl -w x=${old}` : undefined });\n'],
    ['a value in a service command', 'export const s = (u: string) => ({ start: `systemctl start ${u}` });\n'],
    ['a value in a const given later', 'export const s = (x: string) => { const c = `rm ${x}`; return { command: c }; };\n'],
    ['a value in text trimmed', 'export const s = (x: string) => ({ verify: `status ${x}`.trimEnd() });\n'],
    ['a value given to exec()', 'export const s = (h: { exec(c: string): void }, x: string) => h.exec(`cat ${x}`);\n'],
    ['a value in PowerShell without psq', "import { encodedPowerShell } from '../electron/hosts/windows/probe-script.ts';\nexport const s = (x: string) => encodedPowerShell(`Start-Service -Name '${x}'`);\n"],
  ])('refuses shell text with a value not quoted by the helper (%s)', async (_what, code) => {
    for (const file of ['electron/x.ts', 'agent/x.ts']) expect(await ruleIds(file, code)).toContain('failguard/quoted-commands');
  });

  it.each([
    "import { shq, shellCommand } from '../shared/quote.ts';\nexport const s = (n: string) => ({ command: `hostname -- ${shq(n)} && ${shellCommand(['echo', n])}`, undo: shellCommand(['x', n]) });\n",
    "const P = { agentd: '/opt/failguard/agentd' };\nconst KEEP = ' x';\nexport const s = (w: boolean) => ({ command: `${P.agentd} stop${w ? KEEP : ''}`, verify: `! ${P.agentd} status` });\n",
    "export const probe = (a: string) => ({ ok: false, command: `ping ${a}`, raw: '' });\n",
    "import { shq, psq } from '../shared/quote.ts';\nimport { encodedPowerShell } from '../electron/hosts/windows/probe-script.ts';\nexport const s = (h: { exec(c: string): void }, xs: string[]) => { const names = xs.map(shq).join(' '); h.exec(`ls ${names}`); return { command: `a ${names}`.trimEnd(), undo: encodedPowerShell(`Stop-Service -Name ${xs.map(psq).join(',')}`) }; };\n",
  ])('takes shell text built by the helper, from constants, and evidence that is never run', async (code) => {
    expect(await ruleIds('electron/x.ts', code)).not.toContain('failguard/quoted-commands');
  });

  it('refuses switching certificate verification off anywhere', async () => {
    expect(await ruleIds('electron/x.ts', 'export const o = { rejectUnauthorized: false };\n')).toContain('no-restricted-syntax');
  });

  it('lets the agent use the one plan engine and the directory client (automatic failover), nothing else of electron/', async () => {
    expect(await ruleIds('agent/x.ts', "import { runPlans } from '../electron/plans/engine.ts';\nimport { openSession } from '../electron/directory/ldap-session.ts';\nexport const a = [runPlans, openSession];\n")).toEqual([]);
  });

  it('accepts the contract from the renderer', async () => {
    expect(await ruleIds('renderer/src/x.ts', "import type { Backend } from '../../shared/contract.ts';\nexport type B = Backend;\n")).toEqual([]);
  });
});
