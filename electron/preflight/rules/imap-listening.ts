import { sourceListens } from '../rule-kinds.ts';

export default sourceListens('imap-listening', {
  port: 143, protocol: 'IMAP', service: 'Dovecot', severity: 'warning',
  rationale: 'Users read mail over IMAP; the monitor checks it too.',
  resolution: 'Start Dovecot and check its listen setting.',
  start: 'pgrep -x dovecot >/dev/null || dovecot </dev/null >/dev/null 2>&1', stop: 'doveadm stop',
});
