"""kagg's Google Cloud Functions (2nd gen) adapter, shipped as ``main.py`` at the root of the source.

Entry point: ``predict_handler``. functions-framework calls it with a ``flask.Request``; the method,
path, query, headers and body go to the shared runtime's ``handle()``, and its ``Response`` comes back
as a ``(body, status, headers)`` tuple, which Flask turns into the HTTP response (several
``Set-Cookie`` values stay several headers).

The notebook loads when the framework imports this module (the cold start), not on the first request.
Needs Flask (functions-framework brings it); otherwise standard library only, Python 3.9+.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Tuple

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import kagg_runtime  # noqa: E402

RUNTIME = kagg_runtime.get_runtime(_HERE)
RUNTIME.load()


def to_flask_response(response: Any) -> Tuple[bytes, int, List[Tuple[str, str]]]:
    """Maps a runtime ``Response`` to what a Flask view may return."""
    headers: List[Tuple[str, str]] = []
    for key, value in (response.headers or {}).items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            headers.append((str(key), str(v)))
    body = response.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body, int(response.status), headers


def predict_handler(request: Any) -> Tuple[bytes, int, List[Tuple[str, str]]]:
    """Cloud Functions entry point: one ``flask.Request`` in, one response out."""
    try:
        query: Dict[str, List[str]] = {k: request.args.getlist(k) for k in request.args.keys()}
        headers = {str(k).lower(): str(v) for k, v in request.headers.items()}
        response = RUNTIME.handle(request.method, request.path or "/", headers, request.get_data(), query)
    except Exception as exc:  # a malformed request; handle() itself never raises
        sys.stderr.write("kagg-gcp: bad request: %s: %s\n" % (type(exc).__name__, exc))
        response = kagg_runtime.Response(
            400 if isinstance(exc, (ValueError, TypeError, KeyError)) else 500,
            {"Content-Type": "application/json"},
            json.dumps({"error": "could not read the request: %s" % exc, "type": type(exc).__name__}).encode("utf-8"),
        )
    return to_flask_response(response)
