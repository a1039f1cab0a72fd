import { settingMatches } from '../rule-kinds.ts';
import { shq } from '../rule.ts';

export default settingMatches('postfix-queue-path-match', { title: 'The Postfix queue path is the same on source and target', label: 'the Postfix queue path', key: 'queue_directory', facts: 'postfix', category: 'replication', set: (v) => `postconf -e ${shq(`queue_directory=${v}`)}` });
