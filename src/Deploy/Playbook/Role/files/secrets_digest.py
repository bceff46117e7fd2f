"""The secrets digest of vz's release record (DesiredState.SecretsDigest), on the controller.

Reads {"salt": SALT, "values": [[secret, key, value], ...]} on stdin and prints the HMAC-SHA256,
keyed by the node's salt, of each value in (secret, key) order, each preceded by
"secret\\0key\\0length\\0" (length in UTF-8 bytes); nothing when there are no values.
Values never reach a command line: vz_pod passes them on stdin, with no_log.
"""
import hashlib
import hmac
import json
import sys

data = json.load(sys.stdin)
values = sorted(data["values"], key=lambda v: (v[0].encode("utf-16-be"), v[1].encode("utf-16-be")))
if values:
    mac = hmac.new(data["salt"].encode("utf-8"), digestmod=hashlib.sha256)
    for secret, key, value in values:
        raw = value.encode("utf-8")
        mac.update(f"{secret}\0{key}\0{len(raw)}\0".encode("utf-8"))
        mac.update(raw)
    print(mac.hexdigest())
