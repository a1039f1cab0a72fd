import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-postfix', 'postfix', ['source', 'target']);
