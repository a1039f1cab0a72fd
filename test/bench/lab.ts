/** The lab's command line as benchmarks use it: its output, or an error naming what failed. */
import { spawnSync } from 'node:child_process';

export function lab(...args: string[]): string {
  const r = spawnSync(process.execPath, ['test/lab/cli.ts', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lab ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}
