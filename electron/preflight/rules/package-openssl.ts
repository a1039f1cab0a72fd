import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-openssl', 'openssl', ['source', 'target']);
