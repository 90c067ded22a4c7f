"""Independent check of a Phial session cookie, with the Python standard library only.

Usage: python3 session_cookie_check.py SECRET_KEY COOKIE [MAX_AGE]
Verifies the itsdangerous signature the way Flask does (salt "cookie-session", HMAC-SHA1 key derivation
"hmac"), decodes the payload (zlib when it starts with '.'), untags Flask's tagged JSON and prints
{"ok": true, "timestamp": N, "json": <payload text>, "session": <session with $type forms>}.
Exits with status 1 and {"ok": false, "error": ...} when the cookie does not verify.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import zlib


def b64decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def fail(msg):
    print(json.dumps({"ok": False, "error": msg}))
    sys.exit(1)


def untag(value):
    if isinstance(value, list):
        return [untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: untag(v) for k, v in value.items()}
    if len(value) != 1:
        return value
    (key, inner), = value.items()
    if key == " t":
        return {"$type": "tuple", "value": inner}
    if key == " b":
        return {"$type": "bytes", "value": inner}
    if key == " m":
        return {"$type": "markup", "value": inner}
    if key == " u":
        h = inner
        return {"$type": "uuid", "value": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"}
    if key == " d":
        from email.utils import parsedate_to_datetime
        d = parsedate_to_datetime(inner)
        return {"$type": "datetime", "value": d.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if key == " di":
        (k2, v2), = inner.items()
        return {k2[:-2]: v2}
    return value


def main():
    secret, cookie = sys.argv[1].encode("utf-8"), sys.argv[2]
    max_age = int(sys.argv[3]) if len(sys.argv) > 3 else 2678400
    try:
        signed, sig = cookie.rsplit(".", 1)
        payload, ts = signed.rsplit(".", 1)
    except ValueError:
        fail("malformed cookie")
    key = hmac.new(secret, b"cookie-session", hashlib.sha1).digest()
    expected = hmac.new(key, signed.encode("ascii"), hashlib.sha1).digest()
    if not hmac.compare_digest(expected, b64decode(sig)):
        fail("bad signature")
    timestamp = int.from_bytes(b64decode(ts), "big")
    age = time.time() - timestamp
    if age > max_age or age < -5:
        fail("expired")
    if payload.startswith("."):
        text = zlib.decompress(b64decode(payload[1:])).decode("utf-8")
    else:
        text = b64decode(payload).decode("utf-8")
    print(json.dumps({"ok": True, "timestamp": timestamp, "json": text, "session": untag(json.loads(text))}))


main()
