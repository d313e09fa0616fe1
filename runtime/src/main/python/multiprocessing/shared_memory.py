"""multiprocessing.shared_memory: SharedMemory and ShareableList over files in /dev/shm.

A block is a file in /dev/shm mapped with mmap, which is what shm_open() gives CPython on
Linux, so a CPython process attaches to an mp4j block by name and the other way round.
GraalPy only: Jython has no mmap, so there the import fails with ImportError.

Names: a block made without a name gets one that starts with the process tree's prefix. As
CPython's resource tracker does, the tree's removes a block made here (by either kind of name)
when the root process ends if nobody unlinked it, and says so on stderr ("There appear to be N
leaked shared_memory objects"), unless it was made with track=False or unregistered
(resource_tracker). Attaching to a block registers nothing (CPython <= 3.12 registers it too,
which is why scripts unregister after attaching: harmless here).
"""
import binascii
import os
import struct

try:
    import mmap
except ImportError:
    raise ImportError('multiprocessing.shared_memory needs the mmap module, which Jython does not have')

from . import bridge
from . import resource_tracker

__all__ = ['SharedMemory', 'ShareableList']

_SHM_DIR = '/dev/shm/'


def _new_name():
    prefix = str(bridge.runtime().newSharedName())          # mp4j.<root>.<pid>.<n>: the tracker's
    return '%s.psm_%s' % (prefix, binascii.hexlify(os.urandom(4)).decode('ascii'))


class SharedMemory(object):
    """A block of shared memory: create=True makes it, else it attaches to `name`."""

    def __init__(self, name=None, create=False, size=0, track=True):
        if not size >= 0:
            raise ValueError("'size' must be a positive integer")
        if create:
            if size == 0:
                raise ValueError("'size' must be a positive number different from zero")
            flags = os.O_CREAT | os.O_EXCL | os.O_RDWR
        else:
            if name is None:
                raise ValueError("'name' can only be None if create=True")
            flags = os.O_RDWR
        users_name = name is not None
        if name is None:
            name = _new_name()
        name = name.lstrip('/')
        if not name or '/' in name:
            raise ValueError('invalid shared memory name %r' % (name,))
        self._name = name
        self._fd = os.open(_SHM_DIR + name, flags, 0o600)
        try:
            if create:
                os.ftruncate(self._fd, size)
            size = os.fstat(self._fd).st_size
            self._mmap = mmap.mmap(self._fd, size)
        except BaseException:
            os.close(self._fd)
            if create:
                os.unlink(_SHM_DIR + name)
            raise
        self._size = size
        self._buf = memoryview(self._mmap)
        if create and not track:
            # Python 3.13's track=False: the block outlives the process tree (a block without
            # a name of the caller's would otherwise go when the tree ends).
            resource_tracker.unregister(name, 'shared_memory')
        elif create and users_name:
            # As CPython: a block made, by whatever name, goes when the tree ends if nobody
            # unlinked it (one of mp4j's names goes anyway).
            resource_tracker.register(name, 'shared_memory')

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __reduce__(self):
        return self.__class__, (self.name, False, self.size)

    def __repr__(self):
        return '%s(%r, size=%d)' % (self.__class__.__name__, self.name, self.size)

    @property
    def buf(self):
        return self._buf

    @property
    def name(self):
        return self._name

    @property
    def size(self):
        return self._size

    def close(self):
        """Unmaps the block in this process; it lives on for the others."""
        if self._buf is not None:
            self._buf.release()
            self._buf = None
        if self._mmap is not None:
            self._mmap.close()
            self._mmap = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def unlink(self):
        """Removes the name: no one can attach any more; the memory goes when all closed it."""
        os.unlink(_SHM_DIR + self._name)
        resource_tracker.unregister(self._name, 'shared_memory')


# ShareableList layout (little-endian), in one SharedMemory block:
#   header   q: n, the number of items
#   slots    n times: q offset of the item's bytes in the data area, q their room in bytes,
#            b its kind (see _KINDS), 7 bytes padding
#   data     each item's room, in order; room is fixed when the list is made
# mp4j's own layout: a CPython process cannot read an mp4j ShareableList (nor the reverse);
# its SharedMemory it can.
_HEADER = struct.Struct('<q')
_SLOT = struct.Struct('<qqb7x')
_INT, _FLOAT, _BOOL, _STR, _BYTES, _NONE = range(6)
_NUMBER = struct.Struct('<q')
_DOUBLE = struct.Struct('<d')


def _room_for(kind, raw):
    """Bytes a slot gets when the list is made: 8, or str/bytes rounded up to a multiple of 8."""
    if kind in (_STR, _BYTES):
        return max(8, (len(raw) + 7) // 8 * 8)
    return 8


def _encode(value):
    """(kind, bytes) of an item; TypeError for what a ShareableList cannot hold."""
    if value is None:
        return _NONE, b''
    if isinstance(value, bool):
        return _BOOL, _NUMBER.pack(int(value))
    if isinstance(value, float):
        return _FLOAT, _DOUBLE.pack(value)
    if isinstance(value, int) or type(value).__name__ == 'long':
        try:
            return _INT, _NUMBER.pack(value)
        except struct.error:
            raise OverflowError('ShareableList integers must fit in 64 bits: %r' % (value,))
    if isinstance(value, type(u'')):
        return _STR, value.encode('utf-8')
    if isinstance(value, bytes):
        return _BYTES, value
    raise TypeError('ShareableList holds int, float, bool, str, bytes and None, not %s'
                    % type(value).__name__)


def _decode(kind, raw):
    if kind == _NONE:
        return None
    if kind == _BOOL:
        return bool(_NUMBER.unpack(raw[:8])[0])
    if kind == _FLOAT:
        return _DOUBLE.unpack(raw[:8])[0]
    if kind == _INT:
        return _NUMBER.unpack(raw[:8])[0]
    text = bytes(raw).rstrip(b'\x00')            # as CPython: trailing NULs are not kept
    return text.decode('utf-8') if kind == _STR else text


class ShareableList(object):
    """A fixed-length list of int, float, bool, str, bytes and None in a SharedMemory block."""

    def __init__(self, sequence=None, name=None):
        if name is None or sequence is not None:
            encoded = [_encode(v) for v in (sequence or ())]
            rooms = [_room_for(kind, raw) for kind, raw in encoded]
            data_at = _HEADER.size + _SLOT.size * len(encoded)
            self.shm = SharedMemory(name, create=True, size=max(1, data_at + sum(rooms)))
            buf = self.shm.buf
            _HEADER.pack_into(buf, 0, len(encoded))
            offset = data_at
            for i, ((kind, raw), room) in enumerate(zip(encoded, rooms)):
                _SLOT.pack_into(buf, _HEADER.size + _SLOT.size * i, offset, room, kind)
                buf[offset:offset + len(raw)] = raw
                offset += room
        else:
            self.shm = SharedMemory(name)

    def _slot(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError('index out of range')
        return (_HEADER.size + _SLOT.size * i,) + _SLOT.unpack_from(self.shm.buf, _HEADER.size + _SLOT.size * i)

    def __len__(self):
        return _HEADER.unpack_from(self.shm.buf, 0)[0]

    def __getitem__(self, i):
        _, offset, room, kind = self._slot(i)
        return _decode(kind, self.shm.buf[offset:offset + room])

    def __setitem__(self, i, value):
        at, offset, room, _ = self._slot(i)
        kind, raw = _encode(value)
        if len(raw) > room:
            raise ValueError('bytes/str item exceeds available storage')
        buf = self.shm.buf
        buf[offset:offset + room] = raw + b'\x00' * (room - len(raw))
        _SLOT.pack_into(buf, at, offset, room, kind)

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def __reduce__(self):
        return self.__class__, (None, self.shm.name)

    def __repr__(self):
        return '%s(%r, name=%r)' % (self.__class__.__name__, list(self), self.shm.name)

    @property
    def format(self):
        """The struct-like format of the items, one code each (q d ? s b x as kind and room)."""
        codes = []
        for i in range(len(self)):
            _, _, room, kind = self._slot(i)
            codes.append({_INT: 'q', _FLOAT: 'd', _BOOL: 'xxxxxxx?', _NONE: 'x'}.get(
                kind, '%d%s' % (room, 's')))
        return ''.join(codes)

    def count(self, value):
        return sum(1 for v in self if v == value)

    def index(self, value):
        for i, v in enumerate(self):
            if v == value:
                return i
        raise ValueError('%r not in this container' % (value,))
