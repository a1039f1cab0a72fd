import { sourceListens } from '../rule-kinds.ts';

export default sourceListens('smtp-listening', {
  port: 25, protocol: 'SMTP', service: 'Postfix', severity: 'error',
  rationale: 'The failover monitor judges the source by its SMTP answer; it must answer now.',
  resolution: 'Start Postfix and check inet_interfaces (postconf inet_interfaces).',
  start: 'postfix status >/dev/null 2>&1 || postfix start', stop: 'postfix stop',
});
