import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-iproute2', 'iproute2', ['source', 'target', 'witness']);
