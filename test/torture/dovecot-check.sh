# Opens every mailbox of one received point with Dovecot: a writable clone of the point, a
# private Dovecot instance (own base_dir, no listeners) pointed at it, a status per user (before
# any repair), then a force-resync. Prints "FAIL ..." for anything Dovecot could not open. Args: point users...
set -u
point=$1; shift
c=/srv/.failguard/check-$point; b=/run/fg-check; conf=/run/fg-check.conf
btrfs -q subvolume snapshot "/srv/.failguard/received/$point" "$c" || { echo "FAIL clone"; exit 0; }
# A point is what a crash would leave: a dotlock (dovecot-uidlist.lock) held at that instant
# belongs to a process that no longer exists. Dovecot would wait minutes for it to go stale;
# as after a real crash, it is removed (locks are not mail).
find "$c/vmail" -name '*.lock' -type f -delete 2>/dev/null
# The configuration lives outside base_dir: Dovecot links base_dir/dovecot.conf to it.
mkdir -p "$b"
cat > "$conf" <<CONF
base_dir = $b
protocols =
ssl = no
log_path = $b/log
first_valid_uid = 5000
mail_location = maildir:$c/vmail/%d/%n/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u /etc/dovecot/users
  override_fields = home=$c/vmail/%d/%n
}
CONF
dovecot -c "$conf" </dev/null >/dev/null 2>&1 || echo "FAIL dovecot did not start"
# What a client would see first, before any repair: the inbox opens as the crash left it. Then a full resync must pass too.
for u in "$@"; do
  doveadm -c "$conf" mailbox status -u "$u" messages INBOX >/dev/null 2>&1 || echo "FAIL status $u"
  doveadm -c "$conf" force-resync -u "$u" '*' >/dev/null 2>&1 || echo "FAIL force-resync $u"
done
doveadm -c "$conf" stop </dev/null >/dev/null 2>&1
sleep 0.2
btrfs -q subvolume delete "$c"; rm -rf "$b" "$conf"
