import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-dovecot-imapd', 'dovecot-imapd', ['source', 'target']);
