/** The files provisioning ships: the agent bundle and its Node runtime, found beside the app (built, or packaged as extraResources). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../shared/errors.ts';

export function agentArtifacts(): { bundle: string; node: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  // Packaged: extraResources/agent; built from source: dist/agent beside the compiled tree.
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  let bundle: string | null = packaged && existsSync(join(packaged, 'agent', 'failguard-agent.mjs')) ? join(packaged, 'agent', 'failguard-agent.mjs') : null;
  for (let i = 0; i < 6 && !bundle; i++, dir = dirname(dir)) {
    for (const c of [join(dir, 'dist', 'agent', 'failguard-agent.mjs'), join(dir, 'agent', 'failguard-agent.mjs')]) if (existsSync(c)) bundle = c;
  }
  if (!bundle) throw new UserError('not-built', 'The agent is not built; run npm run build first.');
  let node: string;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    throw new UserError('not-built', 'The agent\'s Node runtime (the npm package "node") is missing; run npm ci.');
  }
  return { bundle, node };
}
