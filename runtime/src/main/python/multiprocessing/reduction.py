"""Pickling for crossing process boundaries: the engine's own pickle, plus registered reducers."""
import io
import pickle
import sys

try:
    import copyreg
except ImportError:                      # Python 2
    import copy_reg as copyreg

__all__ = ['ForkingPickler', 'register', 'dump', 'dumps', 'loads', 'HIGHEST_PROTOCOL']

# Both ends of every mp4j pipe run the same engine, so its highest protocol is safe.
HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL


class ForkingPickler(pickle.Pickler):
    """A Pickler that also knows the reducers registered with `register()`."""
    _extra_reducers = {}

    if sys.version_info[0] >= 3:
        def __init__(self, file, protocol=None, *args, **kwargs):
            pickle.Pickler.__init__(self, file, HIGHEST_PROTOCOL if protocol is None else protocol,
                                    *args, **kwargs)
            self.dispatch_table = copyreg.dispatch_table.copy()
            self.dispatch_table.update(self._extra_reducers)
    else:
        dispatch = pickle.Pickler.dispatch.copy()

        def __init__(self, file, protocol=None):
            pickle.Pickler.__init__(self, file, HIGHEST_PROTOCOL if protocol is None else protocol)

    @classmethod
    def register(cls, type_, reduce_):
        """Pickle objects of `type_` with `reduce_(obj)`."""
        cls._extra_reducers[type_] = reduce_
        if sys.version_info[0] < 3:
            def save(pickler, obj, reduce_=reduce_):
                rv = reduce_(obj)
                pickler.save_reduce(obj=obj, *rv)
            cls.dispatch[type_] = save

    @classmethod
    def dumps(cls, obj, protocol=None):
        buf = io.BytesIO()
        cls(buf, protocol).dump(obj)
        return buf.getvalue()

    loads = staticmethod(pickle.loads)


register = ForkingPickler.register
dumps = ForkingPickler.dumps
loads = pickle.loads


def dump(obj, file, protocol=None):
    ForkingPickler(file, protocol).dump(obj)
