import { processState } from '../rule-kinds.ts';

export default processState('source-dovecot-running', { proc: 'dovecot', label: 'Dovecot', role: 'source', running: true, category: 'services', start: 'dovecot', stop: 'doveadm stop' });
