"""Loads a session cookie with real Flask (when installed) and prints what Flask sees.

Usage: python3 flask_session_load.py SECRET_KEY COOKIE
Prints {"flask": false} when Flask is not importable; otherwise {"flask": true, "session": ..., "permanent": ...}
with Flask's tagged types written as {"$type": ..., "value": ...}.
"""
import base64
import json
import sys

try:
    import uuid
    from datetime import datetime, timezone

    from flask import Flask
    from markupsafe import Markup
except ImportError:
    print(json.dumps({"flask": False}))
    sys.exit(0)


def describe(v):
    if isinstance(v, tuple):
        return {"$type": "tuple", "value": [describe(x) for x in v]}
    if isinstance(v, bytes):
        return {"$type": "bytes", "value": base64.b64encode(v).decode("ascii")}
    if isinstance(v, Markup):
        return {"$type": "markup", "value": str(v)}
    if isinstance(v, uuid.UUID):
        return {"$type": "uuid", "value": str(v)}
    if isinstance(v, datetime):
        return {"$type": "datetime", "value": v.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if isinstance(v, list):
        return [describe(x) for x in v]
    if isinstance(v, dict):
        return {k: describe(x) for k, x in v.items()}
    return v


app = Flask(__name__)
app.secret_key = sys.argv[1]
with app.test_request_context(headers={"Cookie": "session=" + sys.argv[2]}):
    s = app.session_interface.open_session(app, __import__("flask").request)
    print(json.dumps({"flask": True, "session": describe(dict(s)), "permanent": bool(s.permanent)}))
