/**
 * Runs a command with the lab up, then brings the lab down whatever the outcome,
 * and exits with the command's code: `node test/with-lab.ts vitest run --project integration`.
 */
import { spawnSync } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write('with-lab: give the command to run with the lab up.\n');
  process.exit(2);
}
const lab = (sub: string) => spawnSync(process.execPath, ['test/lab/cli.ts', sub], { stdio: 'inherit' }).status ?? 1;
let code = lab('up');
if (code === 0) {
  code = spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
} else {
  process.stderr.write('with-lab: the lab did not come up, so the tests did not run.\n');
}
const downCode = lab('down');
process.exit(code !== 0 ? code : downCode);
