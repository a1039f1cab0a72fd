import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-openssh-server', 'openssh-server', ['source', 'target', 'witness']);
