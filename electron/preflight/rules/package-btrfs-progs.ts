import { packageInstalled } from '../rule-kinds.ts';

export default packageInstalled('package-btrfs-progs', 'btrfs-progs', ['source', 'target']);
