# Serves a queue and a dict with a multiprocessing.managers.SyncManager, on whichever Python runs
# it (CPython or mp4j): ManagerInteropTest points the other implementation's client at it. Its
# get_queue and get_dict serve plain Python objects; its Queue() and dict() are SyncManager's
# own (on GraalPy, served in Java).
import sys
try:
    import queue
except ImportError:
    import Queue as queue
from multiprocessing.managers import SyncManager, DictProxy

shared_queue = queue.Queue()
shared_dict = {}


def get_queue():
    return shared_queue


def get_dict():
    return shared_dict


class InteropManager(SyncManager):
    pass


InteropManager.register('get_queue', callable=get_queue)
InteropManager.register('get_dict', callable=get_dict, proxytype=DictProxy)

def address_of(arg):
    """A port (TCP on 127.0.0.1) or unix:NAME (an abstract Unix socket; argv has no NUL)."""
    return '\0' + arg[5:] if arg.startswith('unix:') else ('127.0.0.1', int(arg))


if __name__ == '__main__':
    manager = InteropManager(address=address_of(sys.argv[1]), authkey=b'interop-key')
    server = manager.get_server()
    print('serving')
    sys.stdout.flush()
    server.serve_forever()
