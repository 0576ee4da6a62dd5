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
cleanly with exit code 0.

Standard library only, Python 3.9+.
"""

from __future__ import annotations

import argparse
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

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # _serve logs its own line, without the query string

    def log_message(self, format: str, *args: Any) -> None:
        _log(format % args)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
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
        return self.rfile.read(n)

    def _serve(self) -> None:
        started = time.perf_counter()
        path_only = self.path.split("?", 1)[0]
        runtime = self.server.runtime
        try:
            body = self._read_body()
        except _BadBody as exc:
            self.close_connection = True
            self._send(400, {"Content-Type": "application/json"}, json.dumps({"error": str(exc), "type": "BadRequest"}).encode())
            self._log_line(path_only, 400, started)
            return
        try:
            headers = {k: v for k, v in self.headers.items()}
            response = runtime.handle(self.command, self.path, headers, body)
            status, out_headers, out_body = response.status, response.headers, response.body
        except Exception as exc:  # handle() never raises; this guards the adapter itself
            _log("internal error: %s: %s" % (type(exc).__name__, exc))
            status, out_headers = 500, {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}
            out_body = b'{"error":"internal error in the local server","type":"InternalError"}'
        self._send(status, out_headers, out_body)
        self._log_line(path_only, status, started)

    def _send(self, status: int, headers: Any, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        no_body = status in (204, 304) or 100 <= status < 200
        if not no_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not no_body and self.command != "HEAD":
            self.wfile.write(body)

    def _log_line(self, path: str, status: int, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        _log("%s %s %d %dms" % (self.command, path, status, round(ms)))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    runtime: Any = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a name look-up we do not want.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


def _write_ready(path: str, port: int, **extra: Any) -> None:
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(dict({"port": port, "pid": os.getpid()}, **extra), fh)
    os.replace(tmp, path)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a kagg function bundle over HTTP on this machine.")
    parser.add_argument("--dir", required=True, help="the bundle folder (notebook.py, kagg_runtime.py, files)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ready-file", default=None, help='written as {"port": N, "pid": P} once listening')
    args = parser.parse_args(argv)
    sys.stdout = _Stamped(sys.stdout)
    sys.stderr = _Stamped(sys.stderr)

    bundle_dir = os.path.abspath(args.dir)
    if not os.path.isfile(os.path.join(bundle_dir, "notebook.py")):
        _log("no notebook.py in %s" % bundle_dir)
        return 2
    kagg_runtime = _import_runtime(bundle_dir)

    def _on_term(signum: int, frame: Any) -> None:
        raise _Terminate()

    signal.signal(signal.SIGTERM, _on_term)

    _Server.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        server = _Server((args.host, args.port), _Handler)
    except OSError as exc:
        _log("cannot listen on %s:%d: %s" % (args.host, args.port, exc))
        return 1
    port = server.server_address[1]
    runtime = kagg_runtime.Runtime(bundle_dir)
    server.runtime = runtime
    try:
        if args.ready_file:
            _write_ready(os.path.abspath(args.ready_file), port)
        _log("listening on http://%s:%d (bundle %s)" % (args.host, port, bundle_dir))
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
        server.serve_forever()
    except (_Terminate, KeyboardInterrupt):
        _log("stopping")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
