"""kagg's Azure Functions adapter, shipped as ``function_app.py`` at the root of the package
(Python v2 programming model, contract §4.8).

One HTTP function, ``kagg``, takes every path under the route prefix (``api/`` by default) and every
method, and hands the request to the shared runtime's ``handle()``. The app-wide auth level is
written here by kagg when it packages (FUNCTION: callers pass a function key as ``x-functions-key``
or ``?code=``; ANONYMOUS with ``--public``). The notebook loads when the host imports this module.
"""

from __future__ import annotations

import os
import sys

import azure.functions as func

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import kagg_runtime  # noqa: E402

AUTH_LEVEL = "FUNCTION"  # kagg: auth level

RUNTIME = kagg_runtime.get_runtime(_HERE)
RUNTIME.load()

app = func.FunctionApp(http_auth_level=getattr(func.AuthLevel, AUTH_LEVEL))


@app.route(route="{*path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def kagg(req: func.HttpRequest) -> func.HttpResponse:
    path = "/" + (req.route_params.get("path") or "").lstrip("/")
    headers = {str(k).lower(): str(v) for k, v in req.headers.items()}
    headers.pop("x-functions-key", None)
    query = {str(k): [str(v)] for k, v in req.params.items() if k != "code"}
    response = RUNTIME.handle(req.method, path, headers, req.get_body() or b"", query)
    out = {str(k): str(v) for k, v in (response.headers or {}).items()}
    mimetype = None
    for name in list(out):
        if name.lower() == "content-type":
            mimetype = out.pop(name).split(";")[0].strip()
    return func.HttpResponse(body=response.body, status_code=response.status, headers=out, mimetype=mimetype)
