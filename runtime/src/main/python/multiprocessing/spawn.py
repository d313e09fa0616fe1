"""Preparing a child: what the parent sends, and how the child rebuilds `__main__` from it.

Start methods differ only here:
- spawn / forkserver (CPython's semantics): the child runs the main script again as
  `__mp_main__`, so code under `if __name__ == '__main__':` does not run again.
- fork (emulated): the child cannot copy the parent's memory, so it rebuilds `__main__` from
  the script's definitions (imports, def, class; top-level statements are not run again) and
  from a pickled snapshot of the parent's picklable globals taken at start(). A script without
  a main guard thus behaves as on Linux CPython. A function or class the parent defined inside
  a top-level block (`if __name__ == '__main__':`, `for`, `with`), or a class an assignment
  made (`namedtuple`), is defined again by its own statement alone, so that it can be a target
  or pickled as under CPython's fork.
"""
import copy
import os
import re
import sys
import types
# ast is imported by the functions that use it: only the emulated fork parses the script, and a
# spawn child would spend tens of ms of its start importing it.

import _mp4j_main

from . import bridge
from . import process
from . import reduction
from . import util

__all__ = ['get_preparation_data', 'prepare', 'rehearse', 'run_job']


def get_preparation_data(name, start_method):
    """What a child needs to look like its parent before it unpickles the Process object."""
    data = dict(
        name=name,
        authkey=bytes(process.current_process().authkey),
        sys_argv=list(sys.argv),
        sys_path=list(sys.path),
        dir=os.getcwd(),
        environ=dict(os.environ),
        start_method=start_method,
        unbuffered=_mp4j_main.std_streams_unbuffered(),
        sigint=sigint_for_child(start_method),
    )
    if util._logger is not None:
        data['log_level'] = util._logger.getEffectiveLevel()
        data['log_to_stderr'] = util._log_to_stderr
    main_module = sys.modules.get('__main__')
    main_path = getattr(main_module, '__file__', None)
    if main_path:
        if not os.path.isabs(main_path) and process.ORIGINAL_DIR is not None:
            main_path = os.path.join(process.ORIGINAL_DIR, main_path)   # Python 2's relative __file__
        data['main_path'] = os.path.abspath(main_path)
        if start_method == 'fork':
            data['main_globals'] = main_globals_snapshot(main_module)
            data['main_definitions'] = main_definition_lines(main_module)
            data['main_imports'] = main_imported_names(main_module)
    return data


def _script_globals(main_module):
    """(name, value) of the parent's globals, but for __name__, __file__ and their kin."""
    return [(name, value) for name, value in list(vars(main_module).items())
            if not (name.startswith('__') and name.endswith('__'))]


def main_globals_snapshot(main_module):
    """The parent's globals that a fork would copy and the definitions cannot rebuild: each one
    pickled on its own, so that one unpicklable value does not keep the others out."""
    skip = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    if sys.version_info[0] < 3:
        skip += (types.ClassType,)
    snapshot = {}
    for name, value in _script_globals(main_module):
        if isinstance(value, skip):
            continue
        try:
            snapshot[name] = reduction.dumps(value)
        except Exception:
            pass
    return snapshot


def main_definition_lines(main_module):
    """{name: first line} of the functions and classes of __main__ the parent has as globals
    (None for a class: its line is not known), so that the child can define them again."""
    kinds = (types.FunctionType, type)
    if sys.version_info[0] < 3:
        kinds += (types.ClassType,)
    lines = {}
    for name, value in _script_globals(main_module):
        if isinstance(value, kinds) and getattr(value, '__module__', None) == '__main__':
            code = getattr(value, '__code__', None)
            lines[name] = code.co_firstlineno if code is not None else None
    return lines


def main_imported_names(main_module):
    """{name: (module, attribute)} of the parent's globals that are a module (attribute None)
    or a function or class of another module, which the snapshot leaves out: the child imports
    those its definitions did not bind (an import inside the main guard)."""
    kinds = (types.FunctionType, types.BuiltinFunctionType, type)
    if sys.version_info[0] < 3:
        kinds += (types.ClassType,)
    names = {}
    for name, value in _script_globals(main_module):
        if isinstance(value, types.ModuleType):
            if value.__name__ != '__main__':
                names[name] = (value.__name__, None)
        elif isinstance(value, kinds):
            module = getattr(value, '__module__', None)
            if module and module != '__main__':
                names[name] = (module, getattr(value, '__qualname__', value.__name__))
    return names


def prepare(data):
    """Makes this (child) interpreter look like the parent described by `data`."""
    current = process.current_process()
    current.name = data['name']
    current.authkey = data['authkey']
    sys.argv = data['sys_argv']
    sys.path = data['sys_path']
    os.chdir(data['dir'])
    _adopt_environ(data['environ'])
    if data['unbuffered'] != _mp4j_main.std_streams_unbuffered():
        _mp4j_main.configure_std_streams(data['unbuffered'])
    if data.get('log_to_stderr'):
        util.log_to_stderr()
    if 'log_level' in data:
        util.get_logger().setLevel(data['log_level'])
    from . import context
    context._force_start_method(data['start_method'])
    # SIGINT as a CPython child has it from its first instant, before __main__ is rebuilt (spawn
    # runs the script's top level again); a handler the parent pickled may need __main__ first.
    sigint = data.get('sigint')
    handler_of_script = sigint not in (None, 'ignore', 'default', 'interrupt')
    if sigint is not None and not handler_of_script:
        take_sigint(sigint)
    if 'main_path' in data:
        if data['start_method'] == 'fork':
            rebuild_main_from_definitions(data['main_path'], data.get('main_globals', {}),
                                          data.get('main_definitions', {}),
                                          data.get('main_imports', {}))
        else:
            run_main_as_mp_main(data['main_path'])
    if handler_of_script:
        take_sigint(sigint)


def sigint_for_child(start_method):
    """How a child is to treat SIGINT (Ctrl-C), as a CPython child would: 'ignore' where the
    parent ignores it (fork copies that, and spawn's exec keeps it: the known way to keep Ctrl-C
    away from Pool workers); under fork on GraalPy, the parent's own handler, pickled (a function
    of __main__ or of a module), or 'default' for SIG_DFL; else 'interrupt', CPython's start-up
    default (KeyboardInterrupt in the main thread)."""
    import signal
    runtime = bridge.installed_runtime()        # none in the build's AOT training run
    if runtime is not None and runtime.signalIgnored(signal.SIGINT):
        return 'ignore'
    if bridge.ENGINE != 'graalpy':
        return 'interrupt'          # Jython's getsignal() swaps handlers: racy, not asked
    handler = signal.getsignal(signal.SIGINT)
    if handler == signal.SIG_IGN:
        return 'ignore'
    if start_method == 'fork' and handler == signal.SIG_DFL:
        return 'default'
    if start_method == 'fork' and handler not in (signal.default_int_handler, None):
        try:
            return reduction.dumps(handler)
        except Exception:
            pass                    # a lambda or a bound method: the child gets the default
    return 'interrupt'


def take_sigint(how):
    """The child's side of sigint_for_child(). Until now a Ctrl-C was only noted (a child in the
    warm pool must survive it, see BootSigint); one that came after the start() that took this
    child is delivered here, once SIGINT is set, as it would have reached a CPython child. On
    Jython a child that is not to ignore SIGINT gets the kernel's default (it dies by SIGINT):
    a Python handler there runs in a thread of its own, where a KeyboardInterrupt reaches
    nobody."""
    import signal
    runtime = bridge.installed_runtime()        # none in the build's AOT training run
    if runtime is None:
        return
    if bridge.ENGINE != 'graalpy':
        if how == 'ignore':
            runtime.ignoreSignal(signal.SIGINT)     # at the kernel: this child's children inherit it
            return
        runtime.restoreSignalDefault(signal.SIGINT)
        if runtime.takeBootSigint():
            runtime.dieBySignal(signal.SIGINT)
        return
    import _mp4j_graalpy
    _mp4j_graalpy.let_handlers_replace_ignore(signal)   # gives the default back first
    if how == 'ignore':
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # the kernel's SIG_IGN, and getsignal() says so
        return
    if how == 'default':
        handler = signal.SIG_DFL
    else:
        handler = signal.default_int_handler
        if how != 'interrupt':
            try:
                handler = reduction.loads(how)
            except Exception:
                pass
    signal.signal(signal.SIGINT, handler)
    if runtime.takeBootSigint():
        if handler == signal.SIG_DFL:
            runtime.dieBySignal(signal.SIGINT)
        handler(signal.SIGINT, sys._getframe())     # default_int_handler raises KeyboardInterrupt


def _adopt_environ(parent_environ):
    """os.environ as the parent's, changed only where it differs; the variables the runtime
    sets for its children (MP4J_*, e.g. the tree's root pid) stay."""
    environ = os.environ
    for key in [k for k in environ if k not in parent_environ and not k.startswith('MP4J_')]:
        del environ[key]
    for key, value in parent_environ.items():
        if environ.get(key) != value:
            environ[key] = value


# What rehearse() rebuilds as the emulated fork rebuilds a script's __main__.
_REHEARSAL_SCRIPT = b'''import os
from os import path


def work(n, *args, **kwargs):
    return n


class Worker(object):
    def run(self):
        return work(1)


if __name__ == '__main__':
    work(1)
'''


class _Rehearsal(object):
    """Stands for the Popen while rehearse() pickles a Process."""


def _nothing():
    pass


def rehearse():
    """A pooled child's dry run of its side of a start, before it has a job.

    GraalPy's interpreter runs code slowly the first time (it parses and specializes it); this
    runs the code of run_job() once, so that a real start does not pay for it. It leaves
    nothing a job could see: prepare() sets every part of this state again from the parent's
    data, and the Process made here is never started.
    """
    from . import context
    data = get_preparation_data(process.current_process().name, 'spawn')
    data.pop('main_path', None)
    data.pop('sigint')                  # the pool's way with Ctrl-C stays (see BootSigint)
    counter = process._process_counter
    context.set_spawning_popen(_Rehearsal())
    try:
        blob = reduction.dumps(process.BaseProcess(target=_nothing, name='rehearsal'))
        payload = reduction.dumps((data, blob))
    finally:
        context.set_spawning_popen(None)
        process._process_counter = counter
    prep, process_blob = reduction.loads(payload)
    prepare(prep)
    reduction.loads(process_blob)
    scratch = {'__name__': '__rehearsal__'}
    for statement in main_statements(_REHEARSAL_SCRIPT, '<rehearsal>', {}):
        statement.run(scratch)
    with open(os.devnull) as f:         # what a child's _bootstrap() does to stdin
        f.read(0)


def run_job(payload):
    """Child side of Popen: prepare, unpickle the Process, run it; returns the exit code.
    A child that cannot even be prepared prints why and exits with 1, as CPython's would."""
    try:
        prep, process_blob = reduction.loads(payload)
        prepare(prep)
        process_obj = reduction.loads(process_blob)
    except KeyboardInterrupt:
        # Ctrl-C before the target ran: CPython's child prints it and dies by SIGINT
        import traceback
        traceback.print_exc()
        util._flush_std_streams()
        return _mp4j_main.DIED_BY_SIGINT
    except BaseException:
        import traceback
        traceback.print_exc()
        util._flush_std_streams()
        return 1
    status = process_obj._bootstrap()
    if prep['start_method'] == 'spawn':
        # CPython's spawned child ends by sys.exit, so its atexit handlers run; a forked one
        # (fork, forkserver) by os._exit, so they do not
        status = _mp4j_main.run_exit_functions(status)
        util._flush_std_streams()
    return status


def _new_main_module(name, path):
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules['__main__'] = sys.modules['__mp_main__'] = module
    return module


def _read_source(path):
    with open(path, 'rb') as f:
        return f.read()


def run_main_as_mp_main(path):
    """CPython's spawn: the whole main script runs again, under the name __mp_main__."""
    module = _new_main_module('__mp_main__', path)
    exec(compile(_read_source(path), path, 'exec'), module.__dict__)


def rebuild_main_from_definitions(path, globals_snapshot, wanted_definitions, imported_names):
    """Emulated fork: __main__ gets the script's definitions and the parent's globals.

    `wanted_definitions` ({name: first line}, see main_definition_lines) names the parent's
    functions and classes, so that those it defined inside a top-level block (a main guard)
    are defined again too (see nested_definitions); `imported_names` (see
    main_imported_names) are the modules, functions and classes it imported, so that those
    the definitions did not import are imported too.

    Definitions and globals can depend on each other (a default value or decorator that uses a
    global; a global list that holds functions of __main__), so they are restored in rounds:
    the globals that unpickle on their own; every definition, a decorated one that fails
    undecorated; the remaining globals; the definitions that failed, again; all globals last,
    so that the values the parent had at start() win.
    """
    source = _read_source(path)
    module = _new_main_module('__main__', path)
    namespace = module.__dict__
    restored = {}

    def restore_globals():
        for name, blob in globals_snapshot.items():
            if name not in restored:
                try:
                    restored[name] = reduction.loads(blob)
                except Exception:
                    pass       # needs something of __main__ not defined yet
        namespace.update(restored)

    restore_globals()
    failed = []
    for statement in main_statements(source, path, wanted_definitions):
        if not statement.run(namespace):
            failed.append(statement)
            statement.run_undecorated(namespace)
    _import_missing(namespace, imported_names)
    restore_globals()
    for statement in failed:
        statement.run(namespace)
    namespace.update(restored)


def _import_missing(namespace, imported_names):
    for name, (module_name, attribute) in imported_names.items():
        if name in namespace:
            continue
        try:
            __import__(module_name)
            value = sys.modules[module_name]
            for part in (attribute.split('.') if attribute else ()):
                value = getattr(value, part)
        except Exception:
            continue        # as a global that did not unpickle: the child goes without it
        namespace[name] = value


class _Statement(object):
    """One top-level definition of the script, compiled at its own line numbers."""

    def __init__(self, path, lines, first, end, decorator_lines, flags):
        self.path = path
        self.lines = lines          # the whole source, as byte lines
        self.first = first          # 0-based index of the first line
        self.end = end              # 0-based index past the last line
        self.decorator_lines = decorator_lines
        self.flags = flags

    def _text(self, skip):
        body = [b'\n' if i in skip else self.lines[i] for i in range(self.first, self.end)]
        return _lines_before(self.lines, self.first) + b''.join(body)

    def _exec(self, namespace, skip):
        return _exec_source(self._text(skip), self.path, self.flags, namespace)

    def run(self, namespace):
        return self._exec(namespace, ())

    def run_undecorated(self, namespace):
        return bool(self.decorator_lines) and self._exec(namespace, self.decorator_lines)


_CODING_LINE = re.compile(br'^[ \t\f]*#.*?coding[:=]')
_BOM = b'\xef\xbb\xbf'


def _lines_before(lines, first):
    """Blank lines in place of the script's first `first` lines, but for its encoding
    (a coding declaration in the first two, or a UTF-8 BOM), so that a statement compiled
    alone decodes its literals as the whole script does (PEP 263)."""
    kept = [lines[i] if _CODING_LINE.match(lines[i]) else b'\n' for i in range(min(first, 2))]
    if first and lines[0].startswith(_BOM) and not kept[0].startswith(_BOM):
        kept[0] = _BOM + kept[0]
    return b''.join(kept) + b'\n' * (first - len(kept))


class _NestedDefinition(object):
    """One statement compiled alone from its syntax tree: a def or class inside a top-level
    block, or the assignment that makes a class (see nested_definitions)."""

    def __init__(self, path, node, flags):
        self.path = path
        self.node = node
        self.flags = flags

    def _exec(self, node, namespace):
        import ast
        module = ast.Module(body=[node])
        if sys.version_info >= (3, 8):
            module.type_ignores = []
        return _exec_source(module, self.path, self.flags, namespace)

    def run(self, namespace):
        return self._exec(self.node, namespace)

    def run_undecorated(self, namespace):
        if not getattr(self.node, 'decorator_list', None):
            return False
        undecorated = copy.copy(self.node)
        undecorated.decorator_list = []
        return self._exec(undecorated, namespace)


def _exec_source(source, path, flags, namespace):
    # A function of its own: Python 2 forbids exec in a function that has closures.
    try:
        code = _compiled.get((path, flags, source)) if type(source) is bytes else None
        if code is None:
            code = compile(source, path, 'exec', flags, True)
        exec(code, namespace)
        return True
    except Exception:
        return False


# A pooled child's parse of its root's script, made while it waited for a job
# (preparse_main_script): {path: (source, tree)}, and the top-level definitions compiled,
# {(path, flags, text): code}. GraalPy took 8-18 ms to parse even a short script at a start.
_parsed = {}
_compiled = {}


def preparse_main_script(path):
    """Parses the script at `path` and compiles its top-level definitions, for the emulated
    fork's rebuild of __main__ (main_statements, _exec_source) to find them done: a start
    then takes them if the script is still the same, byte for byte."""
    if not path or path in _parsed:
        return
    import ast
    try:
        source = _read_source(path)
        tree = ast.parse(source, path)
    except Exception:
        return                          # a start says why, if it must
    _parsed[path] = (source, tree)
    flags = _future_flags(tree)
    for statement in definition_statements(tree, source, path, flags):
        text = statement._text(())
        try:
            _compiled[(path, flags, text)] = compile(text, path, 'exec', flags, True)
        except Exception:
            pass


def main_statements(source, path, wanted_definitions):
    """What rebuilds __main__ under the emulated fork, in order: the top-level definitions,
    then the wanted ones inside other top-level blocks (see nested_definitions)."""
    import ast
    parsed = _parsed.get(path)
    tree = parsed[1] if parsed is not None and parsed[0] == source else ast.parse(source, path)
    flags = _future_flags(tree)
    return (definition_statements(tree, source, path, flags) +
            nested_definitions(tree, path, flags, wanted_definitions))


def _future_flags(tree):
    """The compiler flags of the script's `from __future__ import` lines."""
    import ast
    import __future__
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == '__future__':
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
    return flags


def definition_statements(tree, source, path, flags):
    """The script's top-level definitions (see _is_definition), in order, ready to run."""
    lines = source.splitlines(True)
    starts = [_first_line(node) - 1 for node in tree.body]
    statements = []
    for i, node in enumerate(tree.body):
        if not _is_definition(node):
            continue
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        body_line = node.lineno - 1
        decorators = set(range(starts[i], body_line)) if body_line > starts[i] else set()
        statements.append(_Statement(path, lines, starts[i], end, decorators, flags))
    return statements


def nested_definitions(tree, path, flags, wanted):
    """The parent's functions and classes (`wanted`: {name: first line}, see
    main_definition_lines) that the top-level definitions do not make:
    - a def or class inside another top-level block (a main guard, a loop); a function's
      first line tells which def made it, a class is taken when no top-level definition
      makes its name;
    - a class that an assignment makes (`Pair = namedtuple('Pair', 'a b')`,
      `Color = Enum('Color', 'RED')`), when no class statement makes it: the last such
      assignment of the script, run again alone."""
    import ast
    if not wanted:
        return []
    top_level = set()
    for node in tree.body:
        if _is_definition(node):
            top_level.update(n.name for n in _module_level_statements([node])
                             if _is_function_or_class(n))
    found = []
    class_statements = set()
    assignments = {}
    for block in tree.body:
        if _is_definition(block):
            continue
        for node in _module_level_statements([block]):
            if isinstance(node, ast.ClassDef):
                class_statements.add(node.name)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assignments[target.id] = node
            if not _is_function_or_class(node) or node.name not in wanted:
                continue
            line = wanted[node.name]
            if line == _first_line(node) or (line is None and node.name not in top_level):
                found.append(_NestedDefinition(path, node, flags))
    for name, line in sorted(wanted.items()):
        if line is None and name in assignments and name not in top_level and \
                name not in class_statements:
            found.append(_NestedDefinition(path, assignments[name], flags))
    return found


def _module_level_statements(nodes):
    """The statements that run at module level: `nodes` and, inside their blocks (if, for,
    while, with, try, match), theirs, but not the bodies of defs and classes; in order."""
    import ast
    for node in nodes:
        yield node
        if _is_function_or_class(node):
            continue
        for field in ('body', 'orelse', 'finalbody', 'handlers', 'cases'):
            children = [child for child in getattr(node, field, None) or []
                        if isinstance(child, ast.AST) and not isinstance(child, ast.expr)]
            for nested in _module_level_statements(children):
                yield nested


# Node kinds by class name, so that importing this module needs no ast (see the imports);
# Python 2 names its try statements TryExcept and TryFinally.
_DEFINITION_NODES = frozenset(['Import', 'ImportFrom', 'FunctionDef', 'AsyncFunctionDef',
                               'ClassDef', 'Pass', 'Global'])
_FUNCTION_OR_CLASS_NODES = frozenset(['FunctionDef', 'AsyncFunctionDef', 'ClassDef'])
_TRY_NODES = frozenset(['Try', 'TryExcept', 'TryFinally', 'TryStar'])


def _is_function_or_class(node):
    return type(node).__name__ in _FUNCTION_OR_CLASS_NODES


def _mentions_name(node):
    import ast
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == '__name__':
            return True
    return False


def _is_definition(node):
    """Imports, def and class, and if/try blocks made only of them (not a __name__ test)."""
    import ast
    if type(node).__name__ in _DEFINITION_NODES:
        return True
    if isinstance(node, ast.If):
        if _mentions_name(node.test):
            return False
        return all(_is_definition(n) for n in list(node.body) + list(node.orelse))
    if type(node).__name__ in _TRY_NODES:
        parts = list(getattr(node, 'body', [])) + list(getattr(node, 'orelse', [])) + \
            list(getattr(node, 'finalbody', []))
        for handler in getattr(node, 'handlers', []):
            parts += handler.body
        return all(_is_definition(n) for n in parts)
    return False


def _first_line(node):
    return min([node.lineno] + [d.lineno for d in getattr(node, 'decorator_list', [])])
