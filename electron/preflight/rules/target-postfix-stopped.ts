import { processState } from '../rule-kinds.ts';

export default processState('target-postfix-stopped', { proc: 'master', label: 'Postfix', role: 'target', running: false, category: 'services', start: 'postfix start', stop: 'postfix stop' });
