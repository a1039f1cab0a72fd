# Checks received points on the target: both files a prefix of the writer's history, the
# second never ahead of the first. Prints one JSON line: {point: "ok" | reason}.
import json, os, sys
def records(path):
    try:
        data = open(path, 'rb').read()
    except FileNotFoundError:
        return [], b''
    *lines, tail = data.split(b'\n')
    return lines, tail
def check(point, rel):
    out = {}
    la, ta = records(os.path.join(point, rel, 'a.log'))
    lb, tb = records(os.path.join(point, rel, 'b.log'))
    for name, lines, tail in (('a', la, ta), ('b', lb, tb)):
        for i, l in enumerate(lines):
            if l != b'%d' % (i + 1):
                return '%s: record %d is %r' % (name, i + 1, l[:20])
        nxt = b'%d' % (len(lines) + 1)
        if tail and not nxt.startswith(tail):
            return '%s: a torn record %r that is not the start of record %d' % (name, tail[:20], len(lines) + 1)
    if len(lb) > len(la):
        return 'b is ahead of a (%d > %d records)' % (len(lb), len(la))
    if len(la) - len(lb) > 1:
        return 'a is %d records ahead of b (at most 1 between the two writes)' % (len(la) - len(lb))
    return 'ok:%d' % len(la)
root, rel = sys.argv[1], sys.argv[2]
print(json.dumps({p: check(os.path.join(root, p), rel) for p in sys.argv[3:]}))
