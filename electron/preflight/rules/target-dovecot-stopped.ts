import { processState } from '../rule-kinds.ts';

export default processState('target-dovecot-stopped', { proc: 'dovecot', label: 'Dovecot', role: 'target', running: false, category: 'services', start: 'dovecot', stop: 'doveadm stop' });
