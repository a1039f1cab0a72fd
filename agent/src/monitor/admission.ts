/**
 * The agent's side of mail admission (shared/admission.ts), on 127.0.0.1 only: Postfix's policy
 * delegation protocol (smtpd asks at every RCPT TO; DUNNO lets Postfix's own restrictions go on,
 * a refusal is a 451, which senders retry) and Dovecot's authentication policy (asked before each
 * sign-in; status 0 lets it go on, -1 refuses it). Each answer is decided at that moment, on this
 * host's monotonic clock, by `admits` (the monitor's rule). Nothing here caches a decision.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
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

/** Dovecot's answer: `command=allow` is the question; a report after the fact needs no decision. */
export const dovecotAnswer = (command: string | null, admit: boolean, host: string) =>
  (command !== 'allow' || admit ? { status: 0, msg: '' } : { status: -1, msg: `${host} is not confirmed as the server that serves this mail now; try again later` });

export interface Admission { close(): void; postfix: Server; dovecot: import('node:http').Server }

/** Listens for Postfix and Dovecot on 127.0.0.1; `onChange` hears when the answer turns (logged, not per message). */
export function startAdmission(host: string, admits: () => boolean, onChange: (admit: boolean) => void, onError: (e: Error) => void,
  ports: { postfix: number; dovecot: number } = { postfix: ADMISSION.postfixPort, dovecot: ADMISSION.dovecotPort }): Admission {
  let last: boolean | null = null;
  const decide = () => {
    const a = admits();
    if (a !== last) { last = a; onChange(a); }
    return a;
  };
  const postfix = createServer((s) => serveConnection(s, decide, host));
  postfix.on('error', onError);
  postfix.listen(ports.postfix, '127.0.0.1');
  const dovecot = createHttpServer((req, res) => {
    // The request's body (user, hashed password, address) is read and dropped: the answer depends on this host alone.
    req.resume();
    req.on('end', () => {
      const command = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('command');
      const body = JSON.stringify(dovecotAnswer(command, command === 'allow' ? decide() : true, host));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  dovecot.on('error', onError);
  dovecot.listen(ports.dovecot, '127.0.0.1');
  return { postfix, dovecot, close: () => { postfix.close(); dovecot.close(); } };
}
