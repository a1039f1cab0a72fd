import { settingMatches } from '../rule-kinds.ts';
import { shq } from '../rule.ts';

export default settingMatches('postfix-transport-match', { title: 'Source and target deliver mail the same way', label: 'the delivery transport', key: 'virtual_transport', facts: 'postfix', category: 'application', set: (v) => `postconf -e ${shq(`virtual_transport=${v}`)}` });
