#!/usr/bin/env python3
import sys, re, collections
# Classifies JFR execution samples of the main thread: innermost frame category, and
# inclusive categories (a sample counts for every category found on its stack).
text = open(sys.argv[1]).read()
events = text.split('jdk.ExecutionSample {')[1:]
CATS = [
    ('mp4j transport (SharedQueue, PosixSemaphore, FFM)', ('org.mp4j.queues', 'org.mp4j.synchronize', 'jdk.internal.foreign', 'java.lang.foreign')),
    ('pickling (GraalPy pickle)', ('com.oracle.graal.python.builtins.modules.pickle', 'Pickle')),
    ('host interop (Python->Java calls, byte[] conversion)', ('com.oracle.truffle.host', 'com.oracle.truffle.polyglot', 'InteropLibrary', 'HostToTypeNode', 'HostObject')),
    ('GraalPy interpreter (Python code)', ('com.oracle.graal.python', 'com.oracle.truffle')),
]
inner = collections.Counter(); incl = collections.Counter(); total = 0
for ev in events:
    if '"main"' not in ev.split('stackTrace')[0]:
        continue
    frames = [l.strip() for l in ev.split('stackTrace = [')[1].split(']')[0].strip().splitlines()]
    frames = [f for f in frames if f and not f.startswith('...')]
    if not frames:
        continue
    total += 1
    def cat(f):
        for name, keys in CATS:
            if any(k in f for k in keys):
                return name
        return 'other (JDK, GC, runtime)'
    inner[cat(frames[0])] += 1
    seen = set(cat(f) for f in frames)
    for c in seen:
        incl[c] += 1
print('main-thread samples: %d' % total)
print('innermost frame:')
for c, n in inner.most_common():
    print('  %5.1f%%  %s' % (100.0 * n / total, c))
print('on the stack (inclusive):')
for c, n in incl.most_common():
    print('  %5.1f%%  %s' % (100.0 * n / total, c))
