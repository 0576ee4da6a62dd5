"""kagg's container entry point, shipped as ``server.py`` at the root of a build context.

    PORT=8080 python3 server.py

Serves the bundle in this folder with the local target's server (``kagg_local_server.py``, the same
http.server adapter: JSON in and out, 400 on bad JSON or a malformed chunked body, 413 over the size
limit, 500 for the notebook's errors, ``x-kagg-cold`` on an instance's first response, SIGTERM drains).
Settings come from the environment, as container platforms pass them:

- ``PORT`` (default 8080) and ``HOST`` (default 0.0.0.0: inside a container the published port
  reaches the container's interface, not its loopback);
- ``KAGG_MAX_BODY_BYTES`` (default 32 MiB, Cloud Run's request limit), ``KAGG_TIMEOUT`` (seconds a
  call may run before 504; default 0, no limit), ``KAGG_MAX_CONCURRENCY`` (default CPU count + 4,
  at most 32), ``KAGG_DRAIN_SECONDS`` (default 8: under ``docker stop``'s 10 s grace).

Standard library only, Python 3.9+.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import kagg_local_server  # noqa: E402


def _setting(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def main() -> int:
    port = _setting("PORT", "8080")
    if not port.isdigit() or not 0 < int(port) < 65536:
        sys.stderr.write("kagg-container: PORT must be a port number (1-65535), got %r\n" % port)
        return 2
    return kagg_local_server.main([
        "--dir", HERE,
        "--host", _setting("HOST", "0.0.0.0"),
        "--port", port,
        "--max-body-bytes", _setting("KAGG_MAX_BODY_BYTES", str(32 * 1024 * 1024)),
        "--timeout", _setting("KAGG_TIMEOUT", "0"),
        "--max-concurrency", _setting("KAGG_MAX_CONCURRENCY", "0"),
        "--drain-seconds", _setting("KAGG_DRAIN_SECONDS", "8"),
    ])


if __name__ == "__main__":
    sys.exit(main())
