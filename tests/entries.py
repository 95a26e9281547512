#!/usr/bin/env python3
"""Lists libmemo's entries from outside, as a foreign reader would: for each
entry, its key, flags, count and mean (the header layout of src/store/value.h).

  entries.py folder DIR         every entry file under DIR
  entries.py memcached PORT     every m1- key of the memcached on 127.0.0.1:PORT
"""
import glob
import os
import socket
import struct
import sys

HEADER = struct.Struct("<IHHQdiIQdd32s")


def describe(key, value):
    if len(value) < HEADER.size:
        return f"{key} short {len(value)}"
    magic, version, flags, plen, secs, err, nparts, count, mean, m2, _ = HEADER.unpack_from(value)
    return f"{key} flags={flags} count={count} mean={mean!r}"


def folder(root):
    for path in sorted(glob.glob(os.path.join(root, "*", "m1-*"))):
        with open(path, "rb") as f:
            print(describe(os.path.basename(path), f.read()))


def request(sock, line):
    sock.sendall(line.encode() + b"\r\n")
    data = b""
    while not (data.endswith(b"END\r\n") or data.endswith(b"ERROR\r\n")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def memcached(port):
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    keys = []
    for line in request(sock, "lru_crawler metadump all").splitlines():
        if line.startswith(b"key="):
            key = line.split()[0][4:].decode()
            if key.startswith("m1-") and "." not in key:
                keys.append(key)
    for key in sorted(keys):
        data = request(sock, f"get {key}")
        head, _, rest = data.partition(b"\r\n")
        if head.startswith(b"VALUE"):
            size = int(head.split()[3])
            print(describe(key, rest[:size]))


if __name__ == "__main__":
    {"folder": folder, "memcached": memcached}[sys.argv[1]](sys.argv[2])
