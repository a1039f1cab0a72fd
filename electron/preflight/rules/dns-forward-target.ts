import { dnsForward } from '../rule-kinds.ts';

export default dnsForward('dns-forward-target', 'target');
