# Uses the queue and dict that interop_server.py serves (on the other implementation).
# argv: port or unix:NAME, authkey, what to do: "put", "get" or "served" (the server's own
# SyncManager Queue and dict, made for this client).
import sys
try:
    from queue import Empty, Full
except ImportError:
    from Queue import Empty, Full
from multiprocessing import AuthenticationError
from multiprocessing.managers import SyncManager, DictProxy
from interop_server import address_of


class InteropManager(SyncManager):
    pass


InteropManager.register('get_queue')
InteropManager.register('get_dict', proxytype=DictProxy)

if __name__ == '__main__':
    where, key, action = sys.argv[1], sys.argv[2].encode('ascii'), sys.argv[3]
    manager = InteropManager(address=address_of(where), authkey=key)
    try:
        manager.connect()
    except AuthenticationError as e:
        print('refused %s' % type(e).__name__)
        sys.exit(3)
    if action == 'served':
        sq, sd = manager.Queue(2), manager.dict()
        sq.put({'item': [1, 2.5, 'three']})
        sq.put_nowait(b'bytes')
        try:
            sq.put_nowait('third')
        except Full:
            print('full')
        print('served got %r %r' % (sq.get(timeout=30), sq.get_nowait()))
        try:
            sq.get(timeout=0.1)
        except Empty:
            print('empty')
        sd['k'] = (1, 'x')
        sd[2] = None
        print('served dict %r %r %r' % (sd['k'], sd.get('missing', 'dflt'), sorted(sd.items(), key=repr)))
        sys.exit(0)
    q, d = manager.get_queue(), manager.get_dict()
    if action == 'put':
        q.put({'item': [1, 2.5, 'three']})
        q.put('second')
        d['written by'] = sys.argv[4]
        print('put done, qsize %d' % q.qsize())
    else:
        print('got %r' % (q.get(timeout=30),))
        print('got %r' % (q.get(timeout=30),))
        print('dict %r' % (sorted(d.items()),))
