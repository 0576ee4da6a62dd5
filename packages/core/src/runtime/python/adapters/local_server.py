"""kagg's local target: serves a function bundle on this machine with http.server.

    python3 local_server.py --dir BUNDLE_DIR --host 127.0.0.1 --port PORT --ready-file PATH

``--port 0`` picks a free port. Once listening, the server writes ``{"port": N, "pid": P}`` to the
ready file (atomically), then loads the notebook (the cold start happens now, not on the first
request; requests that arrive meanwhile wait for it) and rewrites the ready file with
``"loaded": true``, ``"initMs"`` and, when the notebook failed at start-up, ``"error"`` and
``"type"``. Waiting on that file, the local target needs no HTTP request to know the function is
up, so the instance's first response (``x-kagg-cold: 1``) is the caller's. One line per request goes to stderr: method,
path (without the query string), status and milliseconds; never a request body. Every line written
to stdout or stderr (the notebook's prints included) starts with the UTC time it was written, as
``2026-01-31T12:00:00.123Z``, so ``kagg logs --since`` can read the log. SIGTERM or SIGINT stops it
cleanly with exit code 0 after draining: it stops accepting, lets the requests in flight finish (up
to ``--drain-seconds``) and exits.

Under load: a listen backlog of 1,024; at most ``--max-concurrency`` requests run at once and at most
``--max-queue`` wait for a turn; beyond that a request is answered 503 with ``Retry-After`` (never a
reset). A body over ``--max-body-bytes`` is answered 413 from its headers, before it is read. A call
running past ``--timeout`` seconds is answered 504 and its worker freed; if that call is still running
one more timeout later (stuck, in C code say), the process drains and re-executes itself on the same
listening socket (same pid, same port; new connections wait in the backlog meanwhile).

Redeploy without downtime: ``--handover PATH`` serves the listening socket to a successor over a Unix
socket; ``--takeover PATH`` starts with the predecessor's socket (the same port, the same queue) and
accepts only once the notebook has loaded without error. The predecessor is then stopped (SIGTERM) and
drains; connections waiting in the queue are accepted by the successor, none is reset.

Standard library only, Python 3.9+.
"""

from __future__ import annotations

import argparse
import array
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional


def _import_runtime(bundle_dir: str) -> Any:
    """kagg_runtime from the bundle, else the copy next to this adapter's folder."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in (bundle_dir, here):
        if os.path.isfile(os.path.join(folder, "kagg_runtime.py")):
            if folder not in sys.path:
                sys.path.insert(0, folder)
            break
    import kagg_runtime  # noqa: E402

    return kagg_runtime


def _stamp() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)


class _Stamped:
    """A text stream that starts every line with the time it was written (UTC, ISO 8601)."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()
            for line in lines:
                self._raw.write(_stamp() + " " + line + "\n")
            self._raw.flush()
        return len(text)

    def flush(self) -> None:
        self._raw.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _log(message: str) -> None:
    sys.stderr.write("kagg-local: " + message + "\n")
    sys.stderr.flush()


class _Terminate(BaseException):
    """Raised in the main thread by SIGTERM; a BaseException so notebook code does not catch it."""


class _BadBody(Exception):
    pass


class _TooLarge(Exception):
    pass


_JSON = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}


def _error_body(message: str, type_name: str) -> bytes:
    return json.dumps({"error": message, "type": type_name}).encode()


class _Gate:
    """At most ``slots`` requests run; at most ``queue`` wait; ``enter`` says False beyond that.

    ``busy`` counts the connections with a request in flight (from its first byte, or from the
    accept for a new connection, to its response): a drain waits for them, not for idle keep-alives.
    """

    def __init__(self, slots: int, queue: int) -> None:
        self.slots, self.queue = slots, queue
        self.running = self.waiting = self.busy = 0
        self._cond = threading.Condition()

    def count(self, delta: int) -> None:
        with self._cond:
            self.busy += delta
            self._cond.notify_all()

    def enter(self) -> bool:
        with self._cond:
            if self.running >= self.slots:
                if self.waiting >= self.queue:
                    return False
                self.waiting += 1
                while self.running >= self.slots:
                    self._cond.wait()
                self.waiting -= 1
            self.running += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self.running -= 1
            self._cond.notify_all()

    def idle(self, timeout: float) -> bool:
        """Waits until no request is in flight (True), or ``timeout`` seconds (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self.busy == 0, timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kagg-local"
    # Headers and body are separate writes: without TCP_NODELAY, Nagle's algorithm and the client's
    # delayed ACK add ~40 ms to many keep-alive responses.
    disable_nagle_algorithm = True
    server: "_Server"

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the runtime, which answers 405 for the ones it does not serve.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def handle(self) -> None:
        # The server counted this connection at its accept: its first request is in flight.
        gate = self.server.gate
        try:
            self.handle_one_request()
        finally:
            gate.count(-1)
        while not self.close_connection:
            # Idle between two requests: a drain closes this connection at once, so the client sees it
            # closed before the old server exits rather than when it next sends on it.
            if not self.server.idle_connection(self.connection, True):
                return
            try:
                if not self.rfile.peek(1):
                    return  # the client closed its keep-alive connection
            except (OSError, ValueError):
                return
            finally:
                self.server.idle_connection(self.connection, False)
            gate.count(1)
            try:
                self.handle_one_request()
            finally:
                gate.count(-1)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # _serve logs its own line, without the query string

    def log_message(self, format: str, *args: Any) -> None:
        _log(format % args)

    def _read_body(self) -> bytes:
        limit = self.server.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadBody("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > limit:
                    raise _TooLarge()
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise _BadBody("bad Content-Length") from None
        if n < 0:
            raise _BadBody("bad Content-Length")
        if n > limit:
            raise _TooLarge()  # from the header alone: nothing of the body is read or allocated
        return self.rfile.read(n)

    def _serve(self) -> None:
        started = time.perf_counter()
        path_only = self.path.split("?", 1)[0]
        server = self.server
        try:
            body = self._read_body()
        except _BadBody as exc:
            return self._refuse(400, str(exc), "BadRequest", path_only, started)
        except _TooLarge:
            return self._refuse(413, self._too_large(), "PayloadTooLarge", path_only, started)
        if not server.gate.enter():
            message = "overloaded: %d requests running and %d waiting; retry later" % (server.gate.slots, server.gate.queue)
            self._send(503, dict(_JSON, **{"Retry-After": "1"}), _error_body(message, "Overloaded"))
            return self._log_line(path_only, 503, started)
        try:
            headers = {k: v for k, v in self.headers.items()}
            call = _Call(server.runtime, self.command, self.path, headers, body)
            if server.timeout_s:
                threading.Thread(target=call.run, daemon=True).start()
                finished = call.done.wait(server.timeout_s)
            else:
                call.run()
                finished = True
            if finished:
                status, out_headers, out_body = call.status, call.headers, call.body
            else:
                server.abandon(call)
                status, out_headers = 504, _JSON
                out_body = _error_body("the call did not finish within the timeout of %g s (--timeout)" % server.timeout_s, "Timeout")
        finally:
            server.gate.leave()
        self._send(status, out_headers, out_body)
        self._log_line(path_only, status, started)

    def handle_expect_100(self) -> bool:
        # Refuse an oversized body before the client sends it, instead of inviting it with 100 Continue.
        try:
            oversized = int(self.headers.get("Content-Length", "0")) > self.server.max_body
        except ValueError:
            oversized = False
        if oversized:
            self._refuse(413, self._too_large(), "PayloadTooLarge", self.path.split("?", 1)[0], time.perf_counter())
            return False
        return super().handle_expect_100()

    def _too_large(self) -> str:
        return "the request body is over the limit of %d bytes (--set maxBodyBytes=N)" % self.server.max_body

    def _refuse(self, status: int, message: str, type_name: str, path: str, started: float) -> None:
        """Answers before the body is read, then closes without a reset (see finish)."""
        self.close_connection = True
        self._linger = True
        self._send(status, _JSON, _error_body(message, type_name))
        self._log_line(path, status, started)

    def finish(self) -> None:
        super().finish()
        if getattr(self, "_linger", False):
            # Closing a socket with unread bytes makes the kernel send a reset, which would destroy
            # the response: half-close, then discard what the client still sends (bounded in time).
            try:
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(2)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and self.connection.recv(65536):
                    pass
            except OSError:
                pass

    def _send(self, status: int, headers: Any, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        if self.close_connection or self.server.draining:
            self.close_connection = True
            self.send_header("Connection", "close")
        no_body = status in (204, 304) or 100 <= status < 200
        if not no_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not no_body and self.command != "HEAD":
            self.wfile.write(body)

    def _log_line(self, path: str, status: int, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        _log("%s %s %d %dms" % (self.command, path, status, round(ms)))


class _Call:
    """One runtime.handle call, run in its own thread when there is a timeout."""

    def __init__(self, runtime: Any, method: str, path: str, headers: Dict[str, str], body: bytes) -> None:
        self._args = (method, path, headers, body)
        self._runtime = runtime
        self.done = threading.Event()
        self.status, self.headers, self.body = 500, _JSON, _error_body("internal error in the local server", "InternalError")

    def run(self) -> None:
        try:
            response = self._runtime.handle(*self._args)
            self.status, self.headers, self.body = response.status, response.headers, response.body
        except Exception as exc:  # handle() never raises; this guards the adapter itself
            _log("internal error: %s: %s" % (type(exc).__name__, exc))
        finally:
            self.done.set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: bursts wait here instead of being dropped
    runtime: Any = None
    gate: _Gate
    max_body = 6 * 1024 * 1024
    timeout_s: float = 0
    draining = False
    stop_reason = ""

    def __init__(self, address: Any, fd: Optional[int] = None) -> None:
        self._inherited = fd
        super().__init__(address, _Handler, bind_and_activate=fd is None)
        if fd is not None:
            self.socket.close()
            self.socket = socket.socket(fileno=fd)
            self.server_address = self.socket.getsockname()
        # Non-blocking: a successor may accept from the same queue, so a wake-up can find it empty.
        self.socket.setblocking(False)
        self.stopped = threading.Event()
        self._idle: set = set()
        self._idle_lock = threading.Lock()

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a name look-up we do not want.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.gate.count(1)
        super().process_request(request, client_address)

    def idle_connection(self, conn: socket.socket, idle: bool) -> bool:
        """Marks a keep-alive connection idle (True) or busy again; False when draining already."""
        with self._idle_lock:
            if not idle:
                self._idle.discard(conn)
                return True
            if self.draining:
                return False
            self._idle.add(conn)
            return True

    def close_idle(self) -> None:
        with self._idle_lock:
            self.draining = True
            for conn in self._idle:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._idle.clear()

    def stop(self, reason: str) -> None:
        """Ends the serving loop (from any thread, a signal handler included): "term" or "recycle"."""
        self.stop_reason = self.stop_reason or reason
        self.stopped.set()

    def abandon(self, call: _Call) -> None:
        """A call past its timeout: if it is still running one more timeout later, recycle."""
        def check() -> None:
            if not call.done.wait(self.timeout_s) and not self.draining:
                _log("a call is still running %g s after its timeout: recycling the process" % self.timeout_s)
                self.stop("recycle")

        threading.Thread(target=check, daemon=True).start()


def _serve_handover(path: str, fd: int) -> None:
    """Hands the listening socket to whoever connects to the Unix socket at ``path`` (mode 0600)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        unix.bind(path)
    finally:
        os.umask(old)
    unix.listen(4)

    def loop() -> None:
        while True:
            conn, _ = unix.accept()
            with conn:
                conn.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])

    threading.Thread(target=loop, daemon=True).start()


def _take_over(path: str) -> int:
    """The predecessor's listening socket, received over the Unix socket at ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        unix.settimeout(10)
        unix.connect(path)
        fds = array.array("i")
        _, ancdata, _, _ = unix.recvmsg(16, socket.CMSG_LEN(fds.itemsize))
        for level, kind, data in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: fds.itemsize])
    if not fds:
        raise OSError("no socket received from %s" % path)
    return fds[0]


def _write_ready(path: str, port: int, **extra: Any) -> None:
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(dict({"port": port, "pid": os.getpid()}, **extra), fh)
    os.replace(tmp, path)


def _default_concurrency() -> int:
    return min(32, (os.cpu_count() or 1) + 4)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a kagg function bundle over HTTP on this machine.")
    parser.add_argument("--dir", required=True, help="the bundle folder (notebook.py, kagg_runtime.py, files)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ready-file", default=None, help='written as {"port": N, "pid": P} once listening')
    parser.add_argument("--max-concurrency", type=int, default=0, help="requests run at once (0: CPU count + 4, at most 32)")
    parser.add_argument("--max-queue", type=int, default=256, help="requests waiting for a turn before 503")
    parser.add_argument("--max-body-bytes", type=int, default=6 * 1024 * 1024)
    parser.add_argument("--timeout", type=float, default=0, help="seconds a call may run before 504 (0: no limit)")
    parser.add_argument("--drain-seconds", type=float, default=30, help="how long in-flight requests may finish on SIGTERM")
    parser.add_argument("--handover", default=None, help="Unix socket path serving the listening socket to a successor")
    parser.add_argument("--takeover", default=None, help="Unix socket path of a predecessor to take the listening socket from")
    parser.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.stdout = _Stamped(sys.stdout)
    sys.stderr = _Stamped(sys.stderr)

    bundle_dir = os.path.abspath(args.dir)
    if not os.path.isfile(os.path.join(bundle_dir, "notebook.py")):
        _log("no notebook.py in %s" % bundle_dir)
        return 2
    kagg_runtime = _import_runtime(bundle_dir)

    serving: Dict[str, Any] = {}

    def _on_term(signum: int, frame: Any) -> None:
        # Once serving, the loop is told to stop (raising here could land inside socketserver's
        # accept path, whose bare except would swallow it); before, the start-up is interrupted.
        if "server" in serving:
            serving["server"].stop("term")
        else:
            raise _Terminate()

    signal.signal(signal.SIGTERM, _on_term)

    _Server.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    fd = args.listen_fd
    try:
        if fd is None and args.takeover:
            fd = _take_over(args.takeover)
        server = _Server((args.host, args.port), fd)
    except OSError as exc:
        _log("cannot listen on %s:%d: %s" % (args.host, args.port, exc))
        return 1
    port = server.server_address[1]
    slots = args.max_concurrency if args.max_concurrency > 0 else _default_concurrency()
    server.gate = _Gate(slots, max(0, args.max_queue))
    server.max_body = args.max_body_bytes
    server.timeout_s = args.timeout
    runtime = kagg_runtime.Runtime(bundle_dir, max_calls=slots)
    server.runtime = runtime
    if args.handover:
        _serve_handover(args.handover, server.socket.fileno())
    try:
        if args.ready_file:
            _write_ready(os.path.abspath(args.ready_file), port)
        _log("listening on http://%s:%d (bundle %s, %d at once, %d waiting)" % (args.host, port, bundle_dir, slots, server.gate.queue))
        runtime.load()
        loaded: Dict[str, Any] = {"loaded": True, "initMs": runtime.init_ms}
        if runtime.startup_error is None:
            _log("notebook loaded in %d ms (entry: %s)" % (runtime.init_ms, runtime.entry))
        else:
            _log("notebook failed at start-up after %d ms; every request answers 500" % runtime.init_ms)
            where = "" if runtime.startup_cell is None else " (cell %d)" % runtime.startup_cell
            loaded.update(error="%s%s" % (runtime.startup_error, where), type=type(runtime.startup_error).__name__)
        if args.ready_file:
            _write_ready(os.path.abspath(args.ready_file), port, **loaded)
        if args.takeover and runtime.startup_error is not None:
            # A successor that failed never accepts: the predecessor keeps serving the port.
            while True:
                time.sleep(0.2)
        # The loop runs in a thread so that the main thread, woken by a signal or a stuck call, can stop it.
        serving["server"] = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # A short wait: a signal delivered to another thread only runs its handler once the main
        # thread wakes up.
        while not server.stopped.wait(0.2):
            pass
        server.shutdown()
    except (_Terminate, KeyboardInterrupt):
        server.stop("term")
        if "server" in serving:
            server.shutdown()
    recycle = server.stop_reason == "recycle"
    if not recycle:
        _log("stopping: draining the requests in flight")
    server.close_idle()
    if not recycle:
        server.server_close()  # stop accepting (a successor holding the same socket goes on accepting)
    if not server.gate.idle(args.drain_seconds):
        _log("stopping with %d requests still in flight after %g s" % (server.gate.busy, args.drain_seconds))
    if recycle:
        _log("re-executing on the same listening socket")
        listen_fd = server.socket.fileno()
        os.set_inheritable(listen_fd, True)
        sys.stdout.flush()
        sys.stderr.flush()
        rest = _without(list(argv if argv is not None else sys.argv[1:]), ("--listen-fd", "--takeover", "--ready-file"))
        os.execv(sys.executable, [sys.executable, os.path.abspath(__file__)] + rest + ["--listen-fd", str(listen_fd)])
    if args.handover:
        try:
            os.unlink(args.handover)
        except OSError:
            pass
    return 0


def _without(argv: list, options: tuple) -> list:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in options:
            skip = True
        elif not any(a.startswith(o + "=") for o in options):
            out.append(a)
    return out


if __name__ == "__main__":
    sys.exit(main())
