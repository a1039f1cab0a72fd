/**
 * `failguard status --job FILE --check`: the job's health for Nagios, Icinga and the like
 * (shared/health-check.ts): one line on standard output, the plugin's exit code. Whatever stops
 * the check itself (a job file that cannot be read, no secret for the hosts) is UNKNOWN, exit 3,
 * still on one line: a monitoring system shows the first line and the code, nothing else.
 */
import { plainMessage } from '../../shared/errors.ts';
import { checkExitCode, healthCheck } from '../../shared/health-check.ts';
import { replicationView } from '../../shared/replication.ts';
import { readJob } from '../jobs/job-file.ts';
import { agentStatus } from '../provision/service.ts';
import { secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';

export async function checkCommand(o: KeptCliOptions & { job: string }): Promise<number> {
  try {
    const job = await readJob(o.job);
    const { sshSecret } = await sshSecretOf(o, job, await secretsFor(o));
    const c = healthCheck(job, replicationView(job, await agentStatus(job, undefined, sshSecret), Date.now()));
    process.stdout.write(`${c.line}\n`);
    return checkExitCode(c.state);
  } catch (e) {
    process.stdout.write(`FAILGUARD UNKNOWN - ${plainMessage(e).replace(/[\r\n]+/g, ' ')}\n`);
    return checkExitCode('UNKNOWN');
  }
}
