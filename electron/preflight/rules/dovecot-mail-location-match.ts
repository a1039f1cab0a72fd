import { settingMatches } from '../rule-kinds.ts';
import { shq } from '../rule.ts';

export default settingMatches('dovecot-mail-location-match', { title: 'Dovecot finds the Maildirs at the same place on source and target', label: 'the Maildir location', key: 'mail_location', facts: 'dovecot', category: 'replication', set: (v) => `sed -i ${shq(`s|^mail_location = .*|mail_location = ${v}|`)} /etc/dovecot/dovecot.conf` });
