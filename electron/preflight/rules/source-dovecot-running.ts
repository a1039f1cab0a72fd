import { processState } from '../rule-kinds.ts';

export default processState('source-dovecot-running', { proc: 'dovecot', label: 'Dovecot', role: 'source', running: true, category: 'services', start: 'dovecot </dev/null >/dev/null 2>&1', stop: 'doveadm stop' });
