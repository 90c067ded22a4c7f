"""Records password hashes made by real Werkzeug, for Phial's compatibility test.

Run: python3 scripts/record-werkzeug-hashes.py > packages/phial/test/fixtures/werkzeug-password-hashes.json
"""
import importlib.metadata
import json

from werkzeug.security import check_password_hash, generate_password_hash

cases = [
    ("scrypt", "correct horse battery staple", 16),
    ("scrypt", "pässwörd ✓ 密码", 16),
    ("scrypt:16384:8:1", "hunter2", 8),
    ("pbkdf2", "hunter2", 16),
    ("pbkdf2:sha256:600000", "s3cret!", 16),
    ("pbkdf2:sha512:25000", "pässwörd", 12),
    ("pbkdf2:sha1:1000", "", 16),
]
out = []
for method, password, salt_length in cases:
    h = generate_password_hash(password, method=method, salt_length=salt_length)
    assert check_password_hash(h, password)
    out.append({"method": method, "password": password, "hash": h})
print(json.dumps({"werkzeug": importlib.metadata.version("werkzeug"), "cases": out}, ensure_ascii=False, indent=1))
