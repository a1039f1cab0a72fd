/** `failguard serve`: the wizard in a browser on this machine. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { startServer } from '../serve/server.ts';
import { keptSecretsRun, rehearsalScheduler } from '../jobs/rehearsal-scheduler.ts';
import { findInterrupted } from '../plans/journal.ts';
import { dataDir, journalDir } from '../backend/data-dir.ts';
import { JobSecrets } from '../jobs/job-secrets.ts';
import { SecretStore } from '../jobs/secret-store.ts';
import { UserError } from '../../shared/errors.ts';

/** The built renderer: dist/renderer beside the compiled or the source tree. */
export function rendererDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'dist', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new UserError('not-built', 'The user interface is not built yet; run npm run build first.');
}

/** The secret store of `serve` and the CLI: opened with the key file the person supplies, else none (secrets are asked each time). */
export async function openSecrets(keyFile: string | undefined): Promise<JobSecrets> {
  const file = keyFile || process.env.FAILGUARD_SECRET_KEY_FILE;
  if (!file) return new JobSecrets(null, 'not kept: start Failguard with --secret-key-file to keep them encrypted on this computer');
  return new JobSecrets(await SecretStore.open(join(dataDir(), 'secrets.json'), { kind: 'key-file', file }));
}

export async function serve(opts: { port: number; open: boolean; secretKeyFile?: string }): Promise<void> {
  const secrets = await openSecrets(opts.secretKeyFile);
  const running = await startServer({ port: opts.port, rendererDir: rendererDir(), secrets });
  process.stdout.write(`Failguard is serving on 127.0.0.1 only. Open:\n${running.url}\n`);
  process.stdout.write(`Passwords and keys of saved jobs: ${secrets.how}.\n`);
  // Scheduled rehearsals run while this runs, with the secrets kept for each job.
  const scheduler = rehearsalScheduler(keptSecretsRun(secrets), { log: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`) });
  // What the journal holds from before: said at start, finished by the next run that applies changes on those servers.
  for (const r of findInterrupted(journalDir())) {
    process.stdout.write(`Found a run cut short on ${r.summary.startedAt} (${r.summary.plans.map((p) => `${p.title}: ${p.stepsDone} of ${p.steps} steps`).join('; ')}); the next run of the same job or pre-flight that applies changes on ${r.summary.hosts.join(', ')} finishes it.\n`);
  }
  if (opts.open) {
    // The browser's command line shows a one-time code, never the token (other local users can read /proc).
    const opener = spawn('xdg-open', [running.oneTimeUrl()], { stdio: 'ignore', detached: true });
    opener.on('error', () => process.stdout.write('No browser could be opened here; open the address above yourself.\n'));
    opener.unref();
  }
  const stop = () => { scheduler.stop(); void running.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
