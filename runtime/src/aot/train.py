# Run once at build time under -XX:AOTCacheOutput, on both engines: it loads what every mp4j JVM
# loads at start-up (the engine, mp4j's package, the fork emulation's parser), so the JDK can
# keep those classes ready in the AOT cache. It starts no child: children are not recorded.
import os
import sys
import multiprocessing
from multiprocessing import spawn


def task(name):
    return name


if __name__ == '__main__':
    def guarded(name):
        return task(name)
    ns = {'__name__': '__main__'}
    wanted = spawn.main_definition_lines(sys.modules['__main__'])
    for statement in spawn.main_statements(open(__file__, 'rb').read(), __file__, wanted):
        assert statement.run(ns)
    assert ns['guarded']('x') == 'x'
    p = multiprocessing.Process(target=task, args=('train',))
    assert p.name.startswith('Process-')
    print(multiprocessing.current_process().name, os.getpid(), sys.version.split()[0])
