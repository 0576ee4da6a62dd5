"""kagg's function runtime: serves a converted notebook over HTTP, the same way on every target.

Standard library only, Python 3.9+. The bundle folder holds this file, ``notebook.py`` (the converted
notebook: cells introduced by ``# %% [kagg cell <index>]`` or ``# %% [kagg cell <index> parameters]``)
and any bundled files (``helper.py``, ``kaggle/input/...``, ``kaggle/working/...``).

Adapters (local server, AWS, GCP, Azure) call exactly this::

    runtime = get_runtime()                 # process-wide, loads the notebook once (cold start)
    response = runtime.handle(method, path, headers, body, query)
    response.status, response.headers, response.body

Dispatch: the notebook's ``process_request(payload)`` when it defines one; otherwise the ``parameters``
cell: the payload overrides its simple assignments, the cells after it run again on a fresh copy of
the module state, and the response is ``result`` (or the value of the last expression).

Notebooks may ``from kagg_runtime import BadRequest`` and raise it for a 400, or return a
``Response`` from ``process_request`` to choose the status, headers and body themselves.

The runtime never logs request bodies or environment values. ``KAGG_DEBUG=1`` adds tracebacks to
error responses; they always go to stderr.
"""

from __future__ import annotations

import ast
import atexit
import base64
import builtins
import dataclasses
import datetime
import decimal
import enum
import io
import json
import math
import os
import posixpath
import re
import shutil
import stat as _stat
import sys
import tempfile
import threading
import time
import traceback
import types
import uuid
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

__all__ = ["BadRequest", "Response", "Runtime", "get_runtime", "INSTANCE_ID"]

#: Random id of this process (one function instance), sent as ``x-kagg-instance``.
INSTANCE_ID = uuid.uuid4().hex[:16]

NOTEBOOK_FILE = "notebook.py"
_THIS_FILE = __file__
MODULE_NAME = "notebook"

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Functions-Key",
    "Access-Control-Max-Age": "3600",
}
ALLOWED_METHODS = "GET, POST, OPTIONS"

_MARKER = re.compile(r"^# %% \[kagg cell (\d+)( parameters)?\][ \t]*\r?$")


class BadRequest(Exception):
    """Raise it (or a subclass) from the notebook to answer 400: the caller's mistake."""


class NoEntryPoint(Exception):
    """The notebook has neither ``process_request(payload)`` nor a ``parameters`` cell."""


@dataclasses.dataclass
class Response:
    """What every adapter turns into its platform's HTTP response."""

    status: int = 200
    headers: Dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


# --------------------------------------------------------------------------------------------
# The notebook: cells and parameters
# --------------------------------------------------------------------------------------------


class _Cell:
    def __init__(self, index: int, parameters: bool, source: str, first_line: int) -> None:
        self.index = index
        self.parameters = parameters
        self.source = source
        self.first_line = first_line  # 1-based line of the cell's first code line in notebook.py
        self.code: Any = None
        self.tail: Any = None  # the trailing expression statement, compiled for eval

    def compile(self, filename: str) -> None:
        # Pad with blank lines so line numbers (tracebacks, syntax errors) match notebook.py.
        padded = "\n" * (self.first_line - 1) + self.source
        tree = ast.parse(padded, filename, "exec")
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body.pop()
            self.tail = compile(ast.Expression(last.value), filename, "eval")
        self.code = compile(tree, filename, "exec")

    def run(self, namespace: Dict[str, Any]) -> Any:
        exec(self.code, namespace)
        return eval(self.tail, namespace) if self.tail is not None else None


class _Parameter:
    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default
        self.type = type(default).__name__

    def describe(self) -> Dict[str, Any]:
        try:
            default = _to_jsonable(self.default)
        except _NotSerialisable:
            default = repr(self.default)
        return {"name": self.name, "type": self.type, "default": default}


def parse_notebook(text: str) -> List[_Cell]:
    """Splits notebook.py into cells at the marker lines. Text before the first marker is ignored
    unless it holds code, in which case it runs first as cell -1."""
    cells: List[_Cell] = []
    lines = text.splitlines(keepends=True)
    current: Optional[Tuple[int, bool, int]] = None
    buf: List[str] = []
    preamble: List[str] = []
    for number, line in enumerate(lines, start=1):
        match = _MARKER.match(line.rstrip("\n"))
        if match:
            if current is not None:
                cells.append(_Cell(current[0], current[1], "".join(buf), current[2]))
            current = (int(match.group(1)), bool(match.group(2)), number + 1)
            buf = []
        elif current is None:
            preamble.append(line)
        else:
            buf.append(line)
    if current is not None:
        cells.append(_Cell(current[0], current[1], "".join(buf), current[2]))
    code = [ln for ln in preamble if ln.strip() and not ln.lstrip().startswith("#")]
    if code:
        cells.insert(0, _Cell(-1, False, "".join(preamble), 1))
    return cells


def parameters_of(source: str) -> List[_Parameter]:
    """The simple top-level assignments of a parameters cell: ``name = <literal>`` or
    ``name: T = <literal>``. Later assignments to a name replace earlier ones."""
    found: Dict[str, _Parameter] = {}
    for node in ast.parse(source).body:
        target: Any = None
        value: Any = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if not isinstance(target, ast.Name):
            continue
        try:
            default = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        found.pop(target.id, None)
        found[target.id] = _Parameter(target.id, default)
    return list(found.values())


def _display(*objs: Any, **kwargs: Any) -> None:
    """IPython's display() has nowhere to show anything in a function: a no-op."""
    return None


# --------------------------------------------------------------------------------------------
# /kaggle/... paths: found in the bundle, written to a temporary mirror
# --------------------------------------------------------------------------------------------

_orig_open = builtins.open
_orig_stat = os.stat
_orig_lstat = os.lstat
_orig_listdir = os.listdir
_orig_scandir = os.scandir
_orig_mkdir = os.mkdir
_orig_makedirs = os.makedirs
_orig_exists = os.path.exists
_orig_isfile = os.path.isfile
_orig_isdir = os.path.isdir


def _stat_or_none(path: Any) -> Optional[os.stat_result]:
    try:
        return _orig_stat(path)
    except (OSError, ValueError):
        return None


class _KagglePaths:
    """Maps ``/kaggle/<rest>`` to ``<mirror>/kaggle/<rest>`` (files written by this process) or
    ``<bundle>/kaggle/<rest>`` (bundled files), whichever exists first; writes go to the mirror.
    Kaggle's older relative spelling ``../input/...`` counts as ``/kaggle/input/...``, and a relative
    path that does not exist is also looked up under ``/kaggle/working`` (Kaggle's working directory)."""

    def __init__(self) -> None:
        self.root: Optional[str] = None
        self._mirror: Optional[str] = None
        self._lock = threading.Lock()

    def mirror(self) -> str:
        with self._lock:
            if self._mirror is None:
                self._mirror = tempfile.mkdtemp(prefix="kagg-kaggle-")
                atexit.register(shutil.rmtree, self._mirror, True)
            return self._mirror

    @staticmethod
    def _rest(path: Any) -> Tuple[Optional[str], bool]:
        """The part after ``/kaggle/`` ('' for /kaggle itself) and whether it came from a relative
        path that only counts when it does not exist as given."""
        if isinstance(path, (int, bytes)):
            return None, False
        if not isinstance(path, str):
            try:
                path = os.fspath(path)
            except TypeError:
                return None, False
            if not isinstance(path, str):
                return None, False
        if path.startswith("/kaggle"):
            norm = posixpath.normpath(path)
            if norm == "/kaggle":
                return "", False
            if norm.startswith("/kaggle/"):
                return norm[len("/kaggle/") :], False
            return None, False
        if not path or path.startswith("/") or os.path.isabs(path):
            return None, False
        norm = posixpath.normpath(path.replace(os.sep, "/"))
        if norm.startswith("../input") or norm.startswith("../working"):
            rest = norm[3:]
            if rest in ("input", "working") or rest.startswith(("input/", "working/")):
                return rest, True
        if norm.startswith(".."):
            return None, False
        return ("working" if norm == "." else "working/" + norm), True

    def _candidates(self, rest: str) -> List[str]:
        parts = [p for p in rest.split("/") if p]
        out = []
        if self._mirror is not None:
            out.append(os.path.join(self._mirror, "kaggle", *parts))
        if self.root is not None:
            out.append(os.path.join(self.root, "kaggle", *parts))
        return out

    def read_path(self, path: Any) -> Any:
        """Where a read of ``path`` should go: the mirror or bundle copy when one exists."""
        if self.root is None:
            return path
        rest, relative = self._rest(path)
        if rest is None:
            return path
        if relative and _stat_or_none(path) is not None:
            return path
        for candidate in self._candidates(rest):
            if _stat_or_none(candidate) is not None:
                return candidate
        return path

    def dir_paths(self, path: Any) -> List[str]:
        """Every existing directory that makes up ``path`` (mirror and bundle), for listings."""
        if self.root is None:
            return []
        rest, relative = self._rest(path)
        if rest is None or (relative and _stat_or_none(path) is not None):
            return []
        out = []
        for candidate in self._candidates(rest):
            st = _stat_or_none(candidate)
            if st is not None and _stat.S_ISDIR(st.st_mode):
                out.append(candidate)
        return out

    def write_path(self, path: Any, copy_existing: bool) -> Any:
        """Where a write to ``/kaggle/...`` goes: the mirror (parent folders created). With
        ``copy_existing`` (append, r+), a bundled file is copied to the mirror first."""
        if self.root is None:
            return path
        rest, relative = self._rest(path)
        if rest is None or relative:
            return path
        parts = [p for p in rest.split("/") if p]
        target = os.path.join(self.mirror(), "kaggle", *parts)
        parent = os.path.dirname(target)
        if _stat_or_none(parent) is None:
            _orig_makedirs(parent, exist_ok=True)
        if copy_existing and _stat_or_none(target) is None:
            bundled = os.path.join(self.root, "kaggle", *parts)
            if _stat_or_none(bundled) is not None:
                shutil.copyfile(bundled, target)
        return target


_PATHS = _KagglePaths()
_patched = False


def _is_write_mode(mode: Any) -> bool:
    return isinstance(mode, str) and any(c in mode for c in "wax+")


def _open(file: Any, mode: Any = "r", *args: Any, **kwargs: Any) -> Any:
    if _is_write_mode(mode):
        target = _PATHS.write_path(file, copy_existing=("a" in mode or "+" in mode))
    else:
        target = _PATHS.read_path(file)
    return _orig_open(target, mode, *args, **kwargs)


def _stat_fn(path: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("dir_fd") is None:
        path = _PATHS.read_path(path)
    return _orig_stat(path, *args, **kwargs)


def _lstat_fn(path: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("dir_fd") is None:
        path = _PATHS.read_path(path)
    return _orig_lstat(path, *args, **kwargs)


def _exists_fn(path: Any) -> bool:
    return _stat_or_none(_PATHS.read_path(path)) is not None


def _isfile_fn(path: Any) -> bool:
    st = _stat_or_none(_PATHS.read_path(path))
    return st is not None and _stat.S_ISREG(st.st_mode)


def _isdir_fn(path: Any) -> bool:
    st = _stat_or_none(_PATHS.read_path(path))
    return st is not None and _stat.S_ISDIR(st.st_mode)


def _listdir_fn(path: Any = ".") -> List[Any]:
    dirs = _PATHS.dir_paths(path)
    if not dirs:
        return _orig_listdir(path)
    names: List[str] = []
    for d in dirs:
        for name in _orig_listdir(d):
            if name not in names:
                names.append(name)
    return names


class _Entries:
    """What os.scandir returns for a /kaggle folder made of several real folders."""

    def __init__(self, entries: List[Any]) -> None:
        self._it = iter(entries)

    def __iter__(self) -> "_Entries":
        return self

    def __next__(self) -> Any:
        return next(self._it)

    def __enter__(self) -> "_Entries":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._it = iter(())


def _scandir_fn(path: Any = ".") -> Any:
    dirs = _PATHS.dir_paths(path)
    if not dirs:
        return _orig_scandir(path)
    if len(dirs) == 1:
        return _orig_scandir(dirs[0])
    seen: Dict[str, Any] = {}
    for d in dirs:
        with _orig_scandir(d) as it:
            for entry in it:
                seen.setdefault(entry.name, entry)
    return _Entries(list(seen.values()))


def _mkdir_fn(path: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("dir_fd") is None:
        path = _PATHS.write_path(path, copy_existing=False)
    return _orig_mkdir(path, *args, **kwargs)


def _makedirs_fn(name: Any, *args: Any, **kwargs: Any) -> Any:
    return _orig_makedirs(_PATHS.write_path(name, copy_existing=False), *args, **kwargs)


def install_kaggle_paths(root: str) -> None:
    """Points /kaggle/... at the bundle in ``root``. Patches builtins.open, io.open and the os
    functions once per process; later calls only move the root."""
    global _patched
    _PATHS.root = root
    if _patched:
        return
    _patched = True
    builtins.open = _open
    io.open = _open
    os.stat = _stat_fn
    os.lstat = _lstat_fn
    os.listdir = _listdir_fn
    os.scandir = _scandir_fn
    os.mkdir = _mkdir_fn
    os.makedirs = _makedirs_fn
    os.path.exists = _exists_fn
    os.path.isfile = _isfile_fn
    os.path.isdir = _isdir_fn


# --------------------------------------------------------------------------------------------
# Results to JSON
# --------------------------------------------------------------------------------------------


class _NotSerialisable(Exception):
    def __init__(self, obj: Any) -> None:
        self.type_name = type(obj).__name__
        super().__init__(self.type_name)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (int, float)):
        return json.dumps(k)
    value = _to_jsonable(k)
    return value if isinstance(value, str) else json.dumps(value)


def _to_jsonable(obj: Any, depth: int = 0) -> Any:
    """Plain JSON types from numpy arrays and scalars (tolist/item), pandas frames (to_dict),
    sets, tuples, dates, Decimal, enums, dataclasses; NaN and infinities become null."""
    if depth > 200:
        raise _NotSerialisable(obj)
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return _to_jsonable(obj.value, depth + 1)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {_key(k): _to_jsonable(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v, depth + 1) for v in obj]
    if isinstance(obj, (set, frozenset)):
        items = [_to_jsonable(v, depth + 1) for v in obj]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        return _to_jsonable(float(obj), depth + 1)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_jsonable(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj)}
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return _to_jsonable(tolist(), depth + 1)
    item = getattr(obj, "item", None)
    if callable(item):
        return _to_jsonable(item(), depth + 1)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        try:
            return _to_jsonable(to_dict(orient="records"), depth + 1)
        except TypeError:
            return _to_jsonable(to_dict(), depth + 1)
    isoformat = getattr(obj, "isoformat", None)
    if callable(isoformat):
        return _to_jsonable(isoformat(), depth + 1)
    raise _NotSerialisable(obj)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _json_response(status: int, value: Any, headers: Optional[Dict[str, str]] = None) -> Response:
    out = {"Content-Type": "application/json"}
    if headers:
        out.update(headers)
    return Response(status, out, _json_bytes(value))


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def payload_from_query(query: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """A GET query as a payload: each value parsed as a JSON literal when it parses, else kept as
    a string; a repeated key gives a list. Also returns the raw strings of single values."""
    payload: Dict[str, Any] = {}
    raw: Dict[str, Any] = {}
    for key, values in query.items():
        if isinstance(values, (str, bytes)):
            values = [values]
        values = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values]
        if len(values) == 1:
            payload[key] = _parse_value(values[0])
            raw[key] = values[0]
        else:
            payload[key] = [_parse_value(v) for v in values]
    return payload, raw


def _coerce(value: Any, default: Any, raw: Any) -> Tuple[bool, Any]:
    """Whether a JSON value fits a parameter whose default is ``default``, and the value to use."""
    if default is None:
        return True, value
    if isinstance(default, bool):
        return isinstance(value, bool), value
    if isinstance(default, int):
        return type(value) is int, value
    if isinstance(default, float):
        if type(value) in (int, float):
            try:
                return True, float(value)
            except OverflowError:
                return False, value
        return False, value
    if isinstance(default, str):
        if isinstance(value, str):
            return True, value
        if isinstance(raw, str):  # ?name=123 for a str parameter: the text as typed
            return True, raw
        return False, value
    if isinstance(default, (list, tuple, set, frozenset)):
        if not isinstance(value, list):
            return False, value
        try:
            return True, type(default)(value)
        except TypeError:
            return False, value
    if isinstance(default, dict):
        return isinstance(value, dict), value
    return type(value) is type(default), value


def _is_response(value: Any) -> bool:
    """A Response from this module, or from another copy of it (an adapter may import the runtime
    under a package name while the notebook imports ``kagg_runtime``)."""
    if isinstance(value, Response):
        return True
    cls = type(value)
    return (
        cls.__name__ == "Response"
        and cls.__module__.split(".")[-1] == "kagg_runtime"
        and all(hasattr(value, a) for a in ("status", "headers", "body"))
    )


def _is_bad_request(exc: BaseException) -> bool:
    return any(cls.__name__ == "BadRequest" for cls in type(exc).__mro__)


def _log(message: str) -> None:
    try:
        sys.stderr.write("kagg: " + message.rstrip("\n") + "\n")
        sys.stderr.flush()
    except Exception:  # pragma: no cover - a closed stderr must not break a response
        pass


def _traceback_lines(exc: BaseException) -> List[str]:
    """The traceback without the runtime's own frames at its top: it starts in the notebook."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == _THIS_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).splitlines()


def _debug() -> bool:
    return os.environ.get("KAGG_DEBUG", "") == "1"


def _error(
    http_status: int, exc: BaseException, message: Optional[str] = None, extra: Optional[Dict[str, Any]] = None
) -> Response:
    """``{"error", "type", ...extra}``; with KAGG_DEBUG=1 also ``"traceback": [lines]``."""
    body: Dict[str, Any] = {"error": message if message is not None else (str(exc) or type(exc).__name__)}
    body["type"] = type(exc).__name__
    if extra:
        body.update(extra)
    if _debug():
        body["traceback"] = _traceback_lines(exc)
    return _json_response(http_status, body)


def _plain_error(http_status: int, message: str, type_name: str) -> Response:
    return _json_response(http_status, {"error": message, "type": type_name})


# --------------------------------------------------------------------------------------------
# The runtime
# --------------------------------------------------------------------------------------------


class Runtime:
    """One converted notebook, loaded once, answering requests."""

    def __init__(self, root: Optional[str] = None, max_calls: int = 1) -> None:
        """``max_calls``: how many process_request calls may run at once (a parameters notebook
        re-runs its cells in one shared namespace, so its calls always run one at a time)."""
        self.root = os.path.abspath(root if root is not None else os.path.dirname(os.path.abspath(__file__)))
        self.init_ms = 0
        self.entry: Optional[str] = None
        self.startup_error: Optional[BaseException] = None
        self.startup_cell: Optional[int] = None
        self.parameters: List[_Parameter] = []
        self.module: Optional[types.ModuleType] = None
        self._cells: List[_Cell] = []
        self._after: List[_Cell] = []
        self._snapshot: Optional[Dict[str, Any]] = None
        self._loaded = False
        self._load_lock = threading.RLock()
        self._call_lock = threading.Lock()
        self._calls = threading.BoundedSemaphore(max(1, int(max_calls)))
        self._cold_lock = threading.Lock()
        self._served = False

    # -- cold start ---------------------------------------------------------------------------

    def load(self) -> None:
        """Runs notebook.py once. Idempotent; an exception is remembered (and logged), not raised."""
        if self._loaded:
            return
        with self._load_lock:
            if self._loaded:
                return
            started = time.perf_counter()
            try:
                self._cold_start()
            except (Exception, SystemExit) as exc:
                self.startup_error = exc
                where = "" if self.startup_cell is None else " in cell %d" % self.startup_cell
                _log("notebook failed at start-up%s:\n%s" % (where, "\n".join(_traceback_lines(exc))))
            finally:
                self.init_ms = int(round((time.perf_counter() - started) * 1000))
                self._loaded = True

    def _cold_start(self) -> None:
        os.chdir(self.root)
        if self.root not in sys.path:
            sys.path.insert(0, self.root)
        install_kaggle_paths(self.root)
        filename = os.path.join(self.root, NOTEBOOK_FILE)
        with _orig_open(filename, encoding="utf-8") as fh:
            cells = parse_notebook(fh.read())
        params_at = next((i for i, c in enumerate(cells) if c.parameters), None)
        if params_at is not None:
            self.parameters = parameters_of(cells[params_at].source)
            self._after = cells[params_at + 1 :]
        self._cells = cells
        for cell in cells:
            self.startup_cell = cell.index
            cell.compile(filename)

        module = types.ModuleType(MODULE_NAME)
        module.__file__ = filename
        namespace = module.__dict__
        namespace["__builtins__"] = builtins
        namespace["display"] = _display
        self.module = module
        sys.modules[MODULE_NAME] = module

        for i, cell in enumerate(cells):
            self.startup_cell = cell.index
            cell.run(namespace)
            if i == params_at:
                self._snapshot = dict(namespace)
        self.startup_cell = None

        if callable(namespace.get("process_request")):
            self.entry = "process_request"
        elif params_at is not None:
            self.entry = "parameters"
        else:
            raise NoEntryPoint(
                "the notebook defines no process_request(payload) function and has no cell tagged "
                "'parameters', so there is nothing to call: define process_request(payload) returning the "
                "response, or tag the cell that sets the inputs 'parameters' and set `result`"
            )

    # -- requests -----------------------------------------------------------------------------

    def accepted(self) -> List[Dict[str, Any]]:
        return [p.describe() for p in self.parameters] if self.entry != "process_request" else []

    def handle(
        self,
        method: str,
        path: str,
        headers: Dict[str, str],
        body: bytes,
        query: Optional[Dict[str, List[str]]] = None,
    ) -> Response:
        """Answers one HTTP request. Never raises."""
        try:
            self.load()
            response = self._dispatch((method or "").upper(), path or "/", body, query)
        except Exception as exc:  # a bug in the runtime itself, not in the notebook
            _log("internal error:\n" + "\n".join(_traceback_lines(exc)))
            response = _error(500, exc, "internal error in kagg's runtime: %s" % (str(exc) or type(exc).__name__))
        return self._finish(response)

    def _finish(self, response: Response) -> Response:
        with self._cold_lock:
            cold = not self._served
            self._served = True
        headers = dict(response.headers or {})
        headers["Access-Control-Allow-Origin"] = "*"
        headers["x-kagg-instance"] = INSTANCE_ID
        headers["x-kagg-init-ms"] = str(self.init_ms)
        headers["x-kagg-cold"] = "1" if cold else "0"
        body = response.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = bytes(body)
        return Response(int(response.status), {str(k): str(v) for k, v in headers.items()}, body)

    def _dispatch(self, method: str, path: str, body: Any, query: Optional[Dict[str, Any]]) -> Response:
        if method == "OPTIONS":
            return Response(204, dict(CORS_HEADERS), b"")
        if method not in ("GET", "POST"):
            return _json_response(
                405, {"error": "method not allowed", "type": "MethodNotAllowed"}, {"Allow": ALLOWED_METHODS}
            )
        if query is None:
            qs = path.partition("?")[2]
            query = parse_qs(qs, keep_blank_values=True) if qs else {}
        if method == "GET" and not query:
            return self._health()
        if self.startup_error is not None:
            return self._startup_response()
        raw: Dict[str, Any] = {}
        if method == "GET":
            payload, raw = payload_from_query(query)
        else:
            if body is None:
                body = b""
            if isinstance(body, str):
                body = body.encode("utf-8")
            if not bytes(body).strip():
                payload = {}
            else:
                try:
                    payload = json.loads(bytes(body))
                except (ValueError, RecursionError) as exc:
                    return _plain_error(400, "request body is not valid JSON: %s" % exc, "BadRequest")
        return self._call(payload, raw)

    def _health(self) -> Response:
        if self.startup_error is not None:
            return self._startup_response()
        return _json_response(200, {"status": "ok", "entry": self.entry, "parameters": self.accepted()})

    def _startup_response(self) -> Response:
        exc = self.startup_error
        assert exc is not None
        extra: Dict[str, Any] = {"status": "error"}
        if self.startup_cell is not None:
            extra["cell"] = self.startup_cell
        return _error(500, exc, extra=extra)

    def _call(self, payload: Any, raw: Dict[str, Any]) -> Response:
        try:
            if self.entry == "parameters":
                overrides = self._validate(payload, raw)
            with self._calls if self.entry == "process_request" else self._call_lock:
                if self.entry == "process_request":
                    assert self.module is not None
                    value = self.module.__dict__["process_request"](payload)
                else:
                    value = self._run_parameters(overrides)
                return self._result(value)
        except (Exception, SystemExit) as exc:
            if _is_bad_request(exc):
                extra = {}
                accepted = getattr(exc, "accepted", None)
                if accepted is not None:
                    extra["accepted"] = accepted
                return _error(400, exc, extra=extra)
            _log("%s raised %s:\n%s" % (self.entry, type(exc).__name__, "\n".join(_traceback_lines(exc))))
            return _error(500, exc)

    def _validate(self, payload: Any, raw: Dict[str, Any]) -> Dict[str, Any]:
        accepted = {p.name: p for p in self.parameters}
        listing = ", ".join("%s (%s)" % (p.name, p.type) for p in self.parameters) or "none"
        if not isinstance(payload, dict):
            raise self._bad(
                "the request must be a JSON object of parameters, got %s; accepted parameters: %s"
                % (type(payload).__name__, listing)
            )
        problems = []
        overrides: Dict[str, Any] = {}
        for name, value in payload.items():
            param = accepted.get(name)
            if param is None:
                problems.append("unknown parameter '%s'" % name)
                continue
            ok, converted = _coerce(value, param.default, raw.get(name))
            if not ok:
                problems.append("parameter '%s' must be %s, got %s" % (name, param.type, type(value).__name__))
                continue
            overrides[name] = converted
        if problems:
            raise self._bad("%s; accepted parameters: %s" % ("; ".join(problems), listing))
        return overrides

    def _bad(self, message: str) -> BadRequest:
        exc = BadRequest(message)
        exc.accepted = [p.describe() for p in self.parameters]  # type: ignore[attr-defined]
        return exc

    def _run_parameters(self, overrides: Dict[str, Any]) -> Any:
        # The same dict object, so functions defined before the parameters cell see the overrides.
        assert self.module is not None and self._snapshot is not None
        namespace = self.module.__dict__
        namespace.clear()
        namespace.update(self._snapshot)
        namespace.update(overrides)
        sys.modules[MODULE_NAME] = self.module
        last = None
        for cell in self._after:
            last = cell.run(namespace)
        if "result" in namespace:
            return namespace["result"]
        return last

    def _result(self, value: Any) -> Response:
        if _is_response(value):
            return value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return Response(200, {"Content-Type": "application/octet-stream"}, bytes(value))
        try:
            data = _to_jsonable(value)
        except _NotSerialisable as exc:
            return _plain_error(
                500,
                "the result is not JSON serialisable: object of type %s (found in a value of type %s)"
                % (exc.type_name, type(value).__name__),
                "TypeError",
            )
        return _json_response(200, data)


_RUNTIME: Optional[Runtime] = None
_RUNTIME_LOCK = threading.Lock()


def get_runtime(root: Optional[str] = None) -> Runtime:
    """The process-wide runtime, loaded on first use. ``root`` only counts on the first call."""
    global _RUNTIME
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = Runtime(root)
        runtime = _RUNTIME
    runtime.load()
    return runtime
