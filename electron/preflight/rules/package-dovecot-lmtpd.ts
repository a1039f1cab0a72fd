import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-dovecot-lmtpd', 'dovecot-lmtpd', ['source', 'target']);
