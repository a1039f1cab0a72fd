/**
 * Runs a command with a pristine lab up, then brings the lab down whatever the outcome,
 * and exits with the command's code: `node test/with-lab.ts vitest run --project integration`.
 *
 * It takes the lab down first: `up` keeps the data of a lab whose network is still there (a host
 * only killed keeps its disk, like a crashed server), so a run cut off mid-way (a killed CI, a
 * closed terminal) would otherwise hand the next run its directory and mail stores as it left them,
 * say a hostile organisation loaded or mailboxes moved to MAIL2.
 */
import { spawnSync } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write('with-lab: give the command to run with the lab up.\n');
  process.exit(2);
}
const lab = (sub: string) => spawnSync(process.execPath, ['test/lab/cli.ts', sub], { stdio: 'inherit' }).status ?? 1;
let code = lab('down');
if (code === 0) code = lab('up');
if (code === 0) {
  code = spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
} else {
  process.stderr.write('with-lab: the lab could not be reset and brought up, so the tests did not run.\n');
}
const downCode = lab('down');
process.exit(code !== 0 ? code : downCode);
