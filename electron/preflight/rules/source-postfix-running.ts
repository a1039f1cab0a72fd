import { processState } from '../rule-kinds.ts';

export default processState('source-postfix-running', { proc: 'master', label: 'Postfix', role: 'source', running: true, category: 'services', start: 'postfix start', stop: 'postfix stop' });
