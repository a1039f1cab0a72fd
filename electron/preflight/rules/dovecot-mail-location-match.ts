import { settingMatches } from '../rule-kinds.ts';
import { shq } from '../rule.ts';

export default settingMatches('dovecot-mail-location-match', { title: 'Dovecot finds the Maildirs at the same place on source and target', label: 'the Maildir location', key: 'mail_location', facts: 'dovecot', category: 'replication', set: setMailLocation });

/**
 * The line rewritten by awk, which takes the value from its environment as plain text (sed would
 * read it as part of its program: `|`, `&` and `\` change what it does, and GNU sed's `e` runs a
 * command). The file is rewritten in place, so its owner and mode stay.
 */
function setMailLocation(v: string): string {
  const conf = '/etc/dovecot/dovecot.conf';
  return `FG_VALUE=${shq(v)} awk 'BEGIN { v = ENVIRON["FG_VALUE"] } /^mail_location = / { print "mail_location = " v; next } { print }' ${conf} > ${conf}.failguard-new && cat ${conf}.failguard-new > ${conf} && rm -f ${conf}.failguard-new`;
}
