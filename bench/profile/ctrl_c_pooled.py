"""Ctrl-C right after three starts from the warm pool, many times: does every child end?

Why: a Ctrl-C that comes just after start() may reach a pooled child before its job does, or
while the job hands SIGINT over to GraalPy's handler (runtime BootSigint, spawn.take_sigint).
A lost one leaves a child sleeping on, and the root waiting for it in join(). The compat test
LauncherTest.ctrlCReachesEveryChildAlsoOnesTakenFromThePoolWhileTheyBoot does one such run;
this does many, with busy loops beside them if asked, to find the rare case.

Usage (under python3, not under mp4j: it starts mp4j itself):
    python3 bench/profile/ctrl_c_pooled.py [RUNS] [BUSY_LOOPS] [POLL_MS]
default 20 runs, no busy loops, the marker polled every 10 ms. A run whose tree has not ended
30 s after the Ctrl-C is a "hang": the children still alive are listed, sent a second SIGINT,
and reported as ended by it or not; then the tree is killed.
"""
from __future__ import print_function

import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MP4J = os.path.join(HERE, '..', '..', 'mp4j')

SCRIPT = '''import multiprocessing as mp
import sys, time
def work(i):
    try:
        time.sleep(600)
        print('child %d: slept on' % i)
    except KeyboardInterrupt:
        pass
if __name__ == '__main__':
    ps = [mp.Process(target=work, args=(i,)) for i in range(3)]
    for q in ps:
        q.start()
    try:
        print('started')
        sys.stdout.flush()
        for q in ps:
            q.join()
        time.sleep(60)
    except KeyboardInterrupt:
        print('root: KeyboardInterrupt')
    for q in ps:
        q.join()
    print('ended by Ctrl-C: %s' % all(q.exitcode in (0, 1, -2) for q in ps))
'''


def group_members(pgid):
    pids = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open('/proc/%s/stat' % name) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                if int(fields[2]) == pgid:
                    pids.append(int(name))
            except (IOError, OSError, IndexError, ValueError):
                pass
    return pids


def one_run(directory, poll):
    out_path = os.path.join(directory, 'out.txt')
    with open(out_path, 'w') as out:
        root = subprocess.Popen([MP4J, 'ctrl_c_pooled.py'], cwd=directory, stdout=out,
                                stderr=subprocess.STDOUT, stdin=open(os.devnull),
                                preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                                    os.setsid()))
    deadline = time.time() + 240
    while root.poll() is None and time.time() < deadline:
        with open(out_path) as f:
            if 'started' in f.read():
                break
        time.sleep(poll)
    os.killpg(root.pid, signal.SIGINT)
    deadline = time.time() + 30
    while root.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    with open(out_path) as f:
        output = f.read()
    if root.poll() is not None:
        return 'ok' if output.rstrip().endswith('ended by Ctrl-C: True') else 'wrong: %r' % output
    report = ['hang']
    for pid in group_members(root.pid):
        if pid == root.pid:
            continue
        os.kill(pid, signal.SIGINT)
        time.sleep(3)
        report.append('child %d %s a second SIGINT' % (
            pid, 'survived' if os.path.exists('/proc/%d' % pid) else 'ended by'))
    os.killpg(root.pid, signal.SIGKILL)
    root.wait()
    return '; '.join(report)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    busy = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    poll = (int(sys.argv[3]) if len(sys.argv) > 3 else 10) / 1000.0
    loops = [subprocess.Popen(['sh', '-c', 'while :; do :; done']) for _ in range(busy)]
    directory = tempfile.mkdtemp(prefix='ctrl-c-pooled-')
    with open(os.path.join(directory, 'ctrl_c_pooled.py'), 'w') as f:
        f.write(SCRIPT)
    counts = {}
    try:
        for i in range(runs):
            result = one_run(directory, poll)
            print('run %d: %s' % (i + 1, result))
            sys.stdout.flush()
            kind = result.split(';')[0].split(':')[0]
            counts[kind] = counts.get(kind, 0) + 1
    finally:
        for loop in loops:
            loop.kill()
    print('runs: %d, %s' % (runs, ', '.join('%s %d' % kv for kv in sorted(counts.items()))))


if __name__ == '__main__':
    main()
