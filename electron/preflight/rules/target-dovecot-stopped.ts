import { processState } from '../rule-kinds.ts';

export default processState('target-dovecot-stopped', { proc: 'dovecot', label: 'Dovecot', role: 'target', running: false, category: 'services', start: 'dovecot </dev/null >/dev/null 2>&1', stop: 'doveadm stop' });
