"""Value, Array, RawValue and RawArray: C-typed numbers in shared memory (Java: SharedBlock).

CPython lays out ctypes objects in shared memory; mp4j stores the same C types with the
struct module (sizes as ctypes has them on 64-bit Linux) in a block every process maps.
A type is a typecode ('i', 'd', 'c', ...) or, where ctypes exists, a ctypes type.
"""
import struct
import sys

from . import bridge
from . import context

__all__ = ['RawValue', 'RawArray', 'Value', 'Array', 'copy', 'synchronized']

# typecode -> (struct format, name of the ctypes type), as CPython's typecode table has them
# on Linux x86-64; the name is for repr(), which CPython takes from the ctypes type
_TYPES = {
    'c': ('c', 'c_char'), 'u': ('I', 'c_wchar'), 'b': ('b', 'c_byte'), 'B': ('B', 'c_ubyte'),
    'h': ('h', 'c_short'), 'H': ('H', 'c_ushort'), 'i': ('i', 'c_int'), 'I': ('I', 'c_uint'),
    'l': ('q', 'c_long'), 'L': ('Q', 'c_ulong'), 'q': ('q', 'c_long'), 'Q': ('Q', 'c_ulong'),
    'f': ('f', 'c_float'), 'd': ('d', 'c_double'), '?': ('B', 'c_bool'),
}

if sys.version_info[0] >= 3:
    _unichr = chr
    _TEXT_TYPE = str
else:
    _unichr = unichr          # noqa: F821 (Python 2)
    _TEXT_TYPE = unicode      # noqa: F821 (Python 2)


def _typecode(typecode_or_type):
    if isinstance(typecode_or_type, str):
        if typecode_or_type == '?' or typecode_or_type not in _TYPES:
            # CPython's typecode table has no '?' (ctypes.c_bool the type is fine)
            raise TypeError('this type has no size')
        return typecode_or_type
    code = getattr(typecode_or_type, '_type_', None)
    if not isinstance(code, str) or code not in _TYPES:
        raise TypeError('unsupported type for shared memory: %r' % (typecode_or_type,))
    return code


_INTEGER_CODES = 'bBhHiIlLqQ'
_PY2 = sys.version_info[0] < 3
_INTEGER_TYPES = (int, long) if _PY2 else (int,)   # noqa: F821 (Python 2)
# C's ssize_t on 64-bit Linux, which bounds ctypes' arrays (sys.maxsize is Java's int here)
_SSIZE_MAX = (1 << 63) - 1
_FLOAT32_MAX = 3.4028234663852886e+38


def _c_value(code, size, value):
    """value as ctypes would store it in a C `code`: integers wrap around as in C, a float too
    large for a C float becomes infinite; what ctypes refuses raises its TypeError."""
    if code in _INTEGER_CODES:
        if isinstance(value, float) or not hasattr(value, '__index__'):
            if _PY2:
                raise TypeError('int expected instead of float' if isinstance(value, float)
                                else 'an integer is required')
            raise TypeError("'%s' object cannot be interpreted as an integer" % type(value).__name__)
        bits = size * 8
        value = value.__index__() & ((1 << bits) - 1)
        if code.islower() and value >> (bits - 1):
            value -= 1 << bits
        return value
    if code in 'fd':
        if isinstance(value, (str, bytes)) or not hasattr(value, '__float__'):
            raise TypeError('must be real number, not %s' % type(value).__name__)
        value = float(value)
        if code == 'f' and abs(value) > _FLOAT32_MAX and value == value:
            value = float('inf') if value > 0 else float('-inf')
        return value
    if code == 'c':
        if isinstance(value, int) and 0 <= value < 256:
            return struct.pack('B', value)
        if isinstance(value, (bytes, bytearray)) and len(value) == 1:
            return bytes(value)
        raise TypeError('one character bytes, bytearray or integer expected')
    if code == 'u':
        if _PY2 and isinstance(value, str):
            value = value.decode('ascii')                # as Python 2's c_wchar takes it
        if isinstance(value, _TEXT_TYPE):
            if len(value) != 1:
                raise TypeError('one character unicode string expected')
            return ord(value)
        raise TypeError('unicode string expected instead of %s instance' % type(value).__name__)
    return 1 if value else 0                          # '?': C's bool, 0 or 1 (Jython's struct has no '?')


def _zero(code):
    if code == 'c':
        return b'\x00'
    if code == 'u':
        return u'\x00'
    return 0


class _Cells(object):
    """`length` C values of one type, back to back in a shared block."""

    def __init__(self, code, length, block):
        self._code = code
        self._length = length
        self._struct = struct.Struct('<' + _TYPES[code][0])
        self._block = block

    @classmethod
    def create(cls, code, length):
        # ctypes' own checks, before anything is allocated
        if length < 0:
            raise ValueError('Array length must be >= 0, not %d' % length)
        if length > _SSIZE_MAX:
            raise OverflowError("cannot fit '%s' into an index-sized integer" % type(length).__name__)
        size = struct.calcsize('<' + _TYPES[code][0]) * max(length, 1)
        if size > _SSIZE_MAX:
            raise OverflowError('array too large')
        return cls(code, length, bridge.runtime().newBlock(size))

    def name(self):
        return str(self._block.name())

    def _read(self, offset, size):
        return bridge.python_bytes(self._block.readLatin1(offset, size))

    def get(self, i):
        size = self._struct.size
        value = self._struct.unpack(self._read(i * size, size))[0]
        if self._code == 'u':
            return _unichr(value)
        if self._code == '?':
            return bool(value)
        return value

    def set(self, i, value):
        data = self._struct.pack(_c_value(self._code, self._struct.size, value))
        self._block.write(i * self._struct.size, bridge.java_bytes(data))

    def raw(self):
        return self._read(0, self._struct.size * self._length)

    def set_raw(self, data):
        if len(data) > self._struct.size * self._length:
            raise ValueError('byte string too long')
        self._block.write(0, bridge.java_bytes(bytes(data)))


class RawValueObject(object):
    """One shared C value: `.value` reads and writes it (no lock)."""

    def __init__(self, cells):
        self._cells = cells

    def _get_value(self):
        return self._cells.get(0)

    def _set_value(self, value):
        self._cells.set(0, value)

    value = property(_get_value, _set_value)

    def __reduce__(self):
        context.assert_spawning(self)
        return _rebuild_value, (self._cells._code, self._cells.name())

    def __repr__(self):
        return '%s(%r)' % (_TYPES[self._cells._code][1], self.value)


class RawArrayObject(object):
    """A shared C array: indexing, slicing, len(); 'c' arrays also have `.value` and `.raw`."""

    def __init__(self, cells):
        self._cells = cells

    def __len__(self):
        return self._cells._length

    def _index(self, i):
        n = self._cells._length
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError('invalid index')
        return i

    def __getitem__(self, i):
        if isinstance(i, slice):
            items = [self._cells.get(k) for k in range(*i.indices(len(self)))]
            if self._cells._code == 'c':            # as ctypes: char and wchar arrays slice to strings
                return b''.join(items)
            if self._cells._code == 'u':
                return u''.join(items)
            return items
        return self._cells.get(self._index(i))

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            indices = range(*i.indices(len(self)))
            values = list(value)
            if len(values) != len(indices):
                raise ValueError('Can only assign sequence of same size')
            for k, v in zip(indices, values):
                self._cells.set(k, v)
        else:
            self._cells.set(self._index(i), value)

    def __iter__(self):
        return iter([self._cells.get(k) for k in range(len(self))])

    def _get_value(self):
        if self._cells._code != 'c':
            raise AttributeError('value')
        raw = self._cells.raw()
        end = raw.find(b'\x00')
        return raw if end < 0 else raw[:end]

    def _set_value(self, value):
        if self._cells._code != 'c':
            raise AttributeError('value')
        if len(value) > len(self):
            raise ValueError('byte string too long')
        self._cells.set_raw(value + (b'\x00' if len(value) < len(self) else b''))

    value = property(_get_value, _set_value)

    def _get_raw(self):
        if self._cells._code != 'c':
            raise AttributeError('raw')
        return self._cells.raw()

    def _set_raw(self, value):
        if self._cells._code != 'c':
            raise AttributeError('raw')
        self._cells.set_raw(value)

    raw = property(_get_raw, _set_raw)

    def __reduce__(self):
        context.assert_spawning(self)
        return _rebuild_array, (self._cells._code, len(self), self._cells.name())

    def __repr__(self):
        return '<%s object at %#x>' % (type(self).__name__, id(self))


# Subclasses named as CPython's ctypes types (type(RawValue('i')).__name__ == 'c_int',
# type(RawArray('d', 3)).__name__ == 'c_double_Array_3'), made once a name.
_NAMED_CLASSES = {}


def _named_class(base, name):
    cls = _NAMED_CLASSES.get(name)
    if cls is None:
        cls = _NAMED_CLASSES[name] = type(name, (base,), {'__module__': __name__})
    return cls


def _value_object(cells):
    return _named_class(RawValueObject, _TYPES[cells._code][1])(cells)


def _array_object(cells):
    name = '%s_Array_%d' % (_TYPES[cells._code][1], cells._length)
    return _named_class(RawArrayObject, name)(cells)


def _rebuild_value(code, name):
    return _value_object(_Cells(code, 1, bridge.runtime().attachBlock(name)))


def _rebuild_array(code, length, name):
    return _array_object(_Cells(code, length, bridge.runtime().attachBlock(name)))


def RawValue(typecode_or_type, *args):
    code = _typecode(typecode_or_type)
    obj = _value_object(_Cells.create(code, 1))
    obj.value = args[0] if args else _zero(code)
    return obj


def RawArray(typecode_or_type, size_or_initializer):
    code = _typecode(typecode_or_type)
    if isinstance(size_or_initializer, _INTEGER_TYPES):
        obj = _array_object(_Cells.create(code, size_or_initializer))
    else:
        values = list(size_or_initializer)
        obj = _array_object(_Cells.create(code, len(values)))
        if code == 'c' and isinstance(size_or_initializer, bytes):
            obj.raw = size_or_initializer
        else:
            obj[:] = values
    return obj


def Value(typecode_or_type, *args, **kwds):
    lock = kwds.pop('lock', True)
    ctx = kwds.pop('ctx', None)
    if kwds:
        raise ValueError('unrecognized keyword argument(s): %s' % list(kwds))
    obj = RawValue(typecode_or_type, *args)
    if lock is False:
        return obj
    return synchronized(obj, _lock_of(lock), ctx)


def Array(typecode_or_type, size_or_initializer, **kwds):
    lock = kwds.pop('lock', True)
    ctx = kwds.pop('ctx', None)
    if kwds:
        raise ValueError('unrecognized keyword argument(s): %s' % list(kwds))
    obj = RawArray(typecode_or_type, size_or_initializer)
    if lock is False:
        return obj
    return synchronized(obj, _lock_of(lock), ctx)


def _lock_of(lock):
    """What Value's and Array's lock argument asks for: None for a new RLock, or the lock given."""
    if lock is True or lock is None:
        return None
    if not hasattr(lock, 'acquire'):
        raise AttributeError("%r has no method 'acquire'" % (lock,))
    return lock


def copy(obj):
    if isinstance(obj, RawArrayObject):
        return RawArray(obj._cells._code, obj[:])
    return RawValue(obj._cells._code, obj.value)


def synchronized(obj, lock=None, ctx=None):
    if lock is None:
        from .synchronize import RLock
        lock = RLock()
    if isinstance(obj, RawArrayObject):
        if obj._cells._code == 'c':
            return SynchronizedString(obj, lock)
        return SynchronizedArray(obj, lock)
    return Synchronized(obj, lock)


class SynchronizedBase(object):
    def __init__(self, obj, lock):
        self._obj = obj
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __reduce__(self):
        context.assert_spawning(self)
        return type(self), (self._obj, self._lock)

    def get_obj(self):
        return self._obj

    def get_lock(self):
        return self._lock

    def __repr__(self):
        return '<%s wrapper for %s>' % (type(self).__name__, self._obj)


def _locked_attribute(name):
    """A property that reads and writes the wrapped object's attribute under the wrapper's lock."""
    def get(self):
        with self._lock:
            return getattr(self._obj, name)

    def set(self, value):
        with self._lock:
            setattr(self._obj, name, value)
    return property(get, set)


class Synchronized(SynchronizedBase):
    value = _locked_attribute('value')


class SynchronizedArray(SynchronizedBase):
    def __len__(self):
        return len(self._obj)

    def __getitem__(self, i):
        with self._lock:
            return self._obj[i]

    def __setitem__(self, i, value):
        with self._lock:
            self._obj[i] = value

    def __iter__(self):
        with self._lock:
            return iter(list(self._obj))


class SynchronizedString(SynchronizedArray):
    """A 'c' array: also `.value` (up to the first NUL) and `.raw`, as CPython's."""
    value = _locked_attribute('value')
    raw = _locked_attribute('raw')
