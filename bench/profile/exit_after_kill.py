"""How long a SIGKILLed booting JVM stays in the process table, by its nice value.

Why: a child whose parent dies is SIGKILLed by the kernel at once, but each of its threads
must still be scheduled to exit, and a low-priority process gets few turns on a busy machine.
This chose the nice value of background pool refills (runtime BootPriority).

Usage (under python3, not under mp4j: it starts mp4j itself):
    python3 bench/profile/exit_after_kill.py [BUSY_LOOPS] [NICE,NICE,...] [ROUNDS]
default 16 busy shell loops, nice 19,15,10,5,0, 4 rounds. Each round starts
`nice -n N ./mp4j --engine jython` on an endless loop, kills it with -9 after 3 s (while its
engine still boots) and times until it is gone or a zombie.
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


def state(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
        return stat[stat.rindex(')') + 2]
    except (IOError, OSError):
        return None


def main():
    busy = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    nices = [int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else '19,15,10,5,0').split(',')]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    script = tempfile.NamedTemporaryFile('w', suffix='.py', delete=False)
    script.write('while True:\n    pass\n')
    script.close()
    loops = [subprocess.Popen(['sh', '-c', 'while :; do :; done']) for _ in range(busy)]
    times = dict((n, []) for n in nices)
    try:
        for _ in range(rounds):
            for n in nices:
                p = subprocess.Popen(['nice', '-n', str(n), MP4J, '--engine', 'jython', script.name])
                time.sleep(3)
                os.kill(p.pid, signal.SIGKILL)
                killed = time.time()
                while state(p.pid) not in (None, 'Z', 'X'):
                    time.sleep(0.005)
                times[n].append(time.time() - killed)
                p.wait()
    finally:
        for loop in loops:
            loop.kill()
        os.unlink(script.name)
    print('beside %d busy loops on %d cores, seconds from SIGKILL to gone:' % (busy, os.cpu_count()))
    for n in nices:
        print('  nice %2d: %s' % (n, ' '.join('%.2f' % t for t in sorted(times[n]))))


if __name__ == '__main__':
    main()
