/**
 * Errors meant for a person: a stable code and one plain sentence saying what to do.
 * Lives in shared/ so the back end, the CLI and the agent use the same ones. Errors from
 * Node and libraries (`ENOENT …`, `ECONNRESET`, ssh2's key parser, ldapts) are translated
 * here: no raw error text, code or stack ever reaches a person.
 */

export class UserError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly details: unknown;
  constructor(code: string, message: string, opts: { field?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }
}

interface SystemErrorLike { code?: unknown; path?: unknown; syscall?: unknown; address?: unknown; port?: unknown; message?: unknown; name?: unknown }

/** Sentences for Node's system error codes; `%p` is the path, `%a` the address. */
const SYSTEM: Record<string, string> = {
  ENOENT: '%p does not exist; check the path.',
  EACCES: 'Failguard may not open %p; check its permissions.',
  EPERM: 'The operating system refused the change to %p; check its permissions.',
  EISDIR: '%p is a folder, not a file; give a file.',
  ENOTDIR: 'A part of %p is not a folder; check the path.',
  EEXIST: '%p already exists; choose another name.',
  ENOSPC: 'The disk is full; free some space and try again.',
  EROFS: '%p is on a read-only file system; choose another place.',
  ECONNRESET: 'The connection%a was closed by the other side; check that the service is running and try again.',
  ECONNREFUSED: 'Nothing answers%a; check that the service runs and the port is open.',
  ETIMEDOUT: 'The connection%a timed out; check that the host is up and that no firewall drops the traffic.',
  EHOSTUNREACH: 'The host%a cannot be reached from here; check the network path.',
  ENETUNREACH: 'The network%a cannot be reached from here; check the network path.',
  ENETDOWN: 'The network interface toward%a is down; check the network path.',
  ENOTFOUND: 'The name%a does not resolve; check it and the DNS server.',
  EPIPE: 'The connection%a was closed while writing; try again.',
  EADDRINUSE: 'The port%a is already in use; choose another or stop what uses it.',
};

/** Messages of libraries that are not sentences a person can act on. */
const LIBRARY: Array<[RegExp, string]> = [
  // The passphrase first: ssh2 words these as "Cannot parse privateKey: …" too.
  [/Encrypted .*key detected, but no passphrase given/i, 'The SSH key is protected by a passphrase; give the passphrase too.'],
  [/bad decrypt|Failed to decrypt|integrity check failed/i, 'The passphrase does not open the SSH key; check it.'],
  [/Cannot parse privateKey|Unsupported key format|Malformed OpenSSH private key/i, 'The SSH key file is not a private key Failguard can read (OpenSSH, PEM or PuTTY); give the private key, not the .pub file.'],
  [/All configured authentication methods failed/i, 'The server refused the sign-in; check the user and the key or password.'],
  [/Timed out while waiting for handshake/i, 'The server did not complete the SSH handshake in time; check that it is up and that SSH is not blocked.'],
  [/InvalidCredentialsError|Invalid credentials/i, 'The directory refused the user name or password; check them.'],
  // nodemailer: its codes come with messages such as "Invalid login: 535 5.7.8 …".
  [/Invalid login|535[ -]|EAUTH/, 'The mail server refused the user name or password; check them.'],
  [/Must issue a STARTTLS|does not support STARTTLS|ETLS/, 'The mail server does not offer STARTTLS, and Failguard sends nothing in clear; turn TLS on at the server.'],
  [/unable to verify the first certificate|self[- ]signed certificate|certificate has expired|Hostname\/IP does not match/i, 'The server\'s TLS certificate is not trusted for this name; add the CA that issued it, or use the name in the certificate.'],
  [/Connection closed|socket hang up/i, 'The connection was closed by the other side; check that the service is running and try again.'],
  [/Unexpected end of JSON input|JSON at position|is not valid JSON/i, 'The file is not valid JSON; check that it is complete and was not edited by mistake.'],
];

function where(e: SystemErrorLike): string {
  if (typeof e.address === 'string') return ` to ${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`;
  const m = typeof e.message === 'string' ? / (\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?|[\w.-]+:\d+)\s*$/.exec(e.message) : null;
  return m ? ` to ${m[1]}` : '';
}

/** True when a text looks like raw error output: starts with an error code, or carries a stack. */
export function isRawErrorText(s: string): boolean {
  return /^\s*(E[A-Z0-9_]{2,}\b|Error:|[A-Z][A-Za-z]*Error\b)/.test(s) || /\n\s+at .+:\d+:\d+\)?/.test(s);
}

/** One plain sentence for anything thrown. UserErrors keep their own sentence. */
export function plainMessage(e: unknown): string {
  if (e instanceof UserError) return e.message;
  const x = (e ?? {}) as SystemErrorLike;
  const msg = typeof x.message === 'string' ? x.message : String(e);
  if (x.name === 'AbortError') return 'The operation was cancelled.';
  // Linux answers a connect with no route it may use (a rejected or removed route) EINVAL.
  const code = x.code === 'EINVAL' && x.syscall === 'connect' ? 'EHOSTUNREACH' : x.code;
  if (typeof code === 'string' && SYSTEM[code]) {
    const path = typeof x.path === 'string' ? x.path : 'The file';
    return SYSTEM[code]!.replace('%p', path).replace('%a', where(x)).replace(/^([a-z])/, (c) => c.toUpperCase());
  }
  for (const [re, sentence] of LIBRARY) if (re.test(msg)) return sentence;
  // Libraries that wrap a system error under their own code keep it in the text ("connect ECONNREFUSED 10.0.0.1:25").
  const wrapped = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE)\b(?:\s+([\w.:-]+))?/.exec(msg);
  if (wrapped) return SYSTEM[wrapped[1]!]!.replace('%a', wrapped[2] ? ` to ${wrapped[2]}` : '').replace(/^([a-z])/, (c) => c.toUpperCase());
  const first = msg.split('\n')[0]!.replace(/^(?:[A-Z][A-Za-z]*Error|Error|E[A-Z0-9_]{2,}):\s*/, '').trim();
  return first && !isRawErrorText(first) ? `Failguard could not finish: ${first.replace(/\.$/, '')}.` : 'Failguard could not finish because of an unexpected problem; try again, and report it if it happens again.';
}

/** Any error as a UserError: its code kept when it is one, else `internal` with the plain sentence. */
export function toUserError(e: unknown, code = 'internal'): UserError {
  return e instanceof UserError ? e : new UserError(code, plainMessage(e), { cause: e });
}
