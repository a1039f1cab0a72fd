# The torture writer, run on the source: appends sequence-numbered records to two files of
# the protection set, always the first file then the second, each write followed by fsync.
# Any crash-consistent copy therefore shows a prefix of this history in both files, and
# the second file never ahead of the first.
import os, sys, time
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
# After a crash of the host, both files are cut back to the records both hold whole, and
# the history goes on from there (the same records again: still one history).
def complete(path):
    try:
        data = open(path, 'rb').read()
    except FileNotFoundError:
        return 0
    return data.count(b'\n')
n = min(complete(os.path.join(d, 'a.log')), complete(os.path.join(d, 'b.log')))
for f in ('a.log', 'b.log'):
    p = os.path.join(d, f)
    if os.path.exists(p):
        data = open(p, 'rb').read()
        keep = b''.join(l + b'\n' for l in data.split(b'\n')[:n])
        with open(p, 'wb') as h:
            h.write(keep); h.flush(); os.fsync(h.fileno())
a = os.open(os.path.join(d, 'a.log'), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
b = os.open(os.path.join(d, 'b.log'), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
while True:
    n += 1
    rec = b'%d\n' % n
    os.write(a, rec); os.fsync(a)
    os.write(b, rec); os.fsync(b)
    time.sleep(0.002)
