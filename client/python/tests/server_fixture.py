"""Runs the real backinstock-server for the Python client tests.

The server binary comes from $BACKINSTOCK_SERVER_BINARY (set by ctest). It
listens on 127.0.0.1:0; the chosen address is read from its readiness line on
stdout, and stdout keeps being drained afterwards so the server never blocks.
Keys are random per run; tokens are minted here (HS256, as the server expects).
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import threading
import time
import uuid

READY = "backinstock-server listening on "
WIX_STORES_APP_ID = "215238eb-22a5-4c36-9e7b-e7c08025e04e"
SETTINGS_MODIFY = "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS"
REQUESTS_READ = "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"
REQUESTS_MODIFY = "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS"
EMAIL_MANAGE = "ECOM.MANAGE_BACK_IN_STOCK_EMAIL"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(kid, secret, claims):
    header = {"alg": "HS256", "kid": kid, "typ": "JWT"}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


class Server:
    """A backinstock-server child process with keys of its own."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="backinstock-py-")
        self._identity_secret = os.urandom(32)
        self._elevation_secret = os.urandom(32)
        keys_path = os.path.join(self._dir.name, "keys.json")
        with open(keys_path, "w") as keys:
            json.dump({"identity_keys": {"py-identity": _b64(self._identity_secret)},
                       "elevation_keys": {"py-elevation": _b64(self._elevation_secret)}}, keys)
        # Only the flags below configure the server, whatever the caller's
        # environment says.
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACKINSTOCK_")}
        self._stderr = open(os.path.join(self._dir.name, "stderr"), "w+")
        self._process = subprocess.Popen(
            [os.environ["BACKINSTOCK_SERVER_BINARY"], "--keys_file=" + keys_path,
             "--listen=127.0.0.1:0", "--audit_log=" + os.path.join(self._dir.name, "audit")],
            stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True)
        self.address = None
        for line in self._process.stdout:  # blocks until the line, or EOF if it dies
            if line.startswith(READY):
                self.address = line[len(READY):].strip()
                break
        if self.address is None:
            self._process.wait()
            self._stderr.seek(0)
            raise RuntimeError("backinstock-server did not start: " + self._stderr.read())
        self._drain = threading.Thread(target=self._process.stdout.read, daemon=True)
        self._drain.start()

    def stop(self):
        self._process.terminate()
        self._process.wait(timeout=60)
        self._drain.join()
        self._process.stdout.close()
        self._stderr.close()
        self._dir.cleanup()

    def identity_token(self, site, role):
        now = int(time.time())
        return _sign("py-identity", self._identity_secret,
                     {"aud": "backinstock", "sub": "py-test", "site": site, "role": role,
                      "iat": now, "exp": now + 3600})

    def elevation_token(self, site, perms):
        now = int(time.time())
        return _sign("py-elevation", self._elevation_secret,
                     {"aud": "backinstock-elevation", "sub": "py-backend", "site": site,
                      "perms": list(perms), "jti": str(uuid.uuid4()), "iat": now,
                      "exp": now + 60})
