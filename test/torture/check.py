# Checks received points on the target: both files a prefix of the writer's history, the
# second never ahead of the first. Prints one JSON line: {point: "ok:<a records>:<b records>" |
# "before-writer" (taken before the writer began: nothing to judge) | reason}. A point taken
# after the writer began that lacks either file is inconsistent, never "ok".
import json, os, sys
def records(path):
    try:
        data = open(path, 'rb').read()
    except FileNotFoundError:
        return None, b''
    *lines, tail = data.split(b'\n')
    return lines, tail
def check(point, rel, taken_ms, writer_ms):
    la, ta = records(os.path.join(point, rel, 'a.log'))
    lb, tb = records(os.path.join(point, rel, 'b.log'))
    if la is None or lb is None:
        if taken_ms < writer_ms:
            return 'before-writer'
        return 'missing %s (the point was taken after the writer began)' % ' and '.join(n for n, l in (('a.log', la), ('b.log', lb)) if l is None)
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
    return 'ok:%d:%d' % (len(la), len(lb))
root, rel, writer_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Point names are p<seq>-<unix ms>.
print(json.dumps({p: check(os.path.join(root, p), rel, int(p.split('-')[1]), writer_ms) for p in sys.argv[4:]}))
