"""kagg's AWS Lambda adapter, shipped as ``handler.py`` at the root of the function zip.

Lambda handler: ``handler.handler``. It serves a Function URL (payload format version 2.0):
the event's method, path, query, headers, cookies and body (text or base64) go to the shared
runtime's ``handle()``, and its ``Response`` comes back in the shape Lambda expects::

    {"statusCode": int, "headers": {...}, "body": str, "isBase64Encoded": bool, "cookies": [...]}

Text bodies (JSON, text/*, XML) are returned as strings, anything else base64-encoded; every
``Set-Cookie`` header becomes an entry of ``cookies`` (Lambda writes those headers itself).

The notebook loads when Lambda imports this module (the init phase), not on the first request.
Standard library only, Python 3.9+.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import kagg_runtime  # noqa: E402

_TEXT_TYPE = re.compile(
    r"^\s*(text/|application/(json|xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|[\w.+-]+\+(json|xml))\b)",
    re.IGNORECASE,
)

# Cold start: Lambda imports this module once per execution environment, so the notebook runs here.
RUNTIME = kagg_runtime.get_runtime(_HERE)
RUNTIME.load()


def _query(event: Dict[str, Any]) -> Dict[str, List[str]]:
    raw = event.get("rawQueryString")
    if isinstance(raw, str) and raw != "":
        return parse_qs(raw, keep_blank_values=True)
    params = event.get("queryStringParameters") or {}
    return {str(k): [str(v)] for k, v in params.items()}


def _headers(event: Dict[str, Any]) -> Dict[str, str]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    cookies = event.get("cookies")
    if cookies:
        headers["cookie"] = "; ".join(str(c) for c in cookies)
    return headers


def _body(event: Dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _is_text(content_type: Optional[str], body: bytes) -> bool:
    if not body:
        return True
    if content_type is None or not _TEXT_TYPE.match(content_type):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def to_lambda_response(response: Any) -> Dict[str, Any]:
    """Maps a runtime ``Response`` to a Function URL response (contract §2.8)."""
    headers: Dict[str, str] = {}
    cookies: List[str] = []
    content_type: Optional[str] = None
    for key, value in (response.headers or {}).items():
        name = str(key)
        if name.lower() == "set-cookie":
            cookies.extend(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))
            continue
        if name.lower() == "content-type":
            content_type = str(value)
        headers[name] = str(value)
    body = response.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    result: Dict[str, Any] = {"statusCode": int(response.status), "headers": headers}
    if _is_text(content_type, body):
        result["body"] = body.decode("utf-8")
        result["isBase64Encoded"] = False
    else:
        result["body"] = base64.b64encode(body).decode("ascii")
        result["isBase64Encoded"] = True
    if cookies:
        result["cookies"] = cookies
    return result


def handler(event: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    """Lambda entry point for a Function URL event (payload format 2.0)."""
    try:
        http = (event.get("requestContext") or {}).get("http") or {}
        method = str(http.get("method") or event.get("httpMethod") or "GET")
        path = str(event.get("rawPath") or http.get("path") or "/")
        response = RUNTIME.handle(method, path, _headers(event), _body(event), _query(event))
    except Exception as exc:  # a malformed event; handle() itself never raises
        sys.stderr.write("kagg-aws: bad event: %s: %s\n" % (type(exc).__name__, exc))
        response = kagg_runtime.Response(
            400 if isinstance(exc, (ValueError, TypeError, KeyError)) else 500,
            {"Content-Type": "application/json"},
            json.dumps({"error": "could not read the request: %s" % exc, "type": type(exc).__name__}).encode("utf-8"),
        )
    return to_lambda_response(response)
