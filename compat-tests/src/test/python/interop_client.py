# Uses the queue and dict that interop_server.py serves (on the other implementation).
# argv: port or unix:NAME, authkey, what to do: "put" or "get".
import sys
from multiprocessing import AuthenticationError
from multiprocessing.managers import BaseManager, DictProxy
from interop_server import address_of


class InteropManager(BaseManager):
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
