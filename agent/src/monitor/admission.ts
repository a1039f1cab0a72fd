/**
 * The agent's side of mail admission (shared/admission.ts): Postfix's policy delegation protocol
 * on 127.0.0.1. smtpd asks at every RCPT TO; the answer is decided at that moment, on this host's
 * monotonic clock, by `admits` (the monitor's rule): DUNNO lets Postfix's own restrictions go on,
 * a refusal is a 451, which senders retry. Nothing here caches a decision.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ADMISSION } from '../../../shared/admission.ts';

/** One policy request's answer (Postfix's access(5) action). */
export const policyAnswer = (admit: boolean, host: string) =>
  `action=${admit ? 'DUNNO' : `451 4.7.1 ${host} is not confirmed as the server that takes this mail now; try again later`}\n\n`;

/** Answers every request read from one smtpd connection (a request: name=value lines, then an empty line). */
function serveConnection(s: Socket, decide: () => boolean, host: string): void {
  let buf = '';
  s.setEncoding('latin1');
  s.on('data', (d: string) => {
    buf += d;
    if (buf.length > 65536) return void s.destroy();
    for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
      buf = buf.slice(end + 2);
      s.write(policyAnswer(decide(), host));
    }
  });
  s.on('error', () => s.destroy());
}

/** Listens for Postfix on 127.0.0.1; `onChange` hears when the answer turns (logged, not per message). */
export function startAdmission(host: string, admits: () => boolean, onChange: (admit: boolean) => void, onError: (e: Error) => void, port: number = ADMISSION.postfixPort): Server {
  let last: boolean | null = null;
  const decide = () => {
    const a = admits();
    if (a !== last) { last = a; onChange(a); }
    return a;
  };
  const server = createServer((s) => serveConnection(s, decide, host));
  server.on('error', onError);
  server.listen(port, '127.0.0.1');
  return server;
}
