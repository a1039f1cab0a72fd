import { settingMatches } from '../rule-kinds.ts';
import { shq } from '../rule.ts';

export default settingMatches('postfix-domains-match', { title: 'Source and target accept mail for the same domains', label: 'the mail domains', key: 'virtual_mailbox_domains', facts: 'postfix', category: 'application', set: (v) => `postconf -e ${shq(`virtual_mailbox_domains=${v}`)}` });
