import { dnsReverse } from '../rule-kinds.ts';

export default dnsReverse('dns-reverse-source', 'source');
