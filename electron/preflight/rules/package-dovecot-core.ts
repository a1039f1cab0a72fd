import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-dovecot-core', 'dovecot-core', ['source', 'target']);
