#!/usr/bin/env python3
"""A foreign writer of libmemo's cache, for the security tests (t12xx): it
knows the value layout (src/store/value.h) and the memcached chunk manifest
(src/store/store_memcached.c), but not necessarily the secret.

  forge.py verify STORE [--secret FILE]
      one line per entry: "KEY ok" when its check verifies (keyed with the
      secret when given, else plain: XXH3-128 from version 4, BLAKE2b
      before), "KEY bad" otherwise
  forge.py versions STORE
      one line per entry: "KEY VERSION", its format version
  forge.py rewrite STORE MUTATION [--secret FILE]
      change every entry's result and seal it again, as a well-formed value:
      with a plain checksum, or a MAC under the given (possibly wrong) secret
      MUTATION: double:X  the first part (the return value) becomes the double X
                xor       every byte of the last part is XORed with 0x5a
                v3        the value made version 3, as main's build before
                          version 4 wrote it (its check BLAKE2b, even plain)
  forge.py swap STORE
      exchange the values of the store's two entries (each stays intact)
  forge.py chunks memcached:PORT
      how many chunk items the server holds

STORE is "folder:DIR" or "memcached:PORT" (127.0.0.1, text protocol). A
chunked memcached entry is reassembled, changed, split again under the same
chunk keys, and its manifest's digest recomputed: only the value's own check
stands between the forgery and the caller.
"""
import glob
import hashlib
import os
import socket
import struct
import sys

HEADER = 88
CHECK_AT = 56
MANIFEST_FLAG = 0x4D434D31
MANIFEST_MAGIC = 0x4B4E4843


def load_secret(path):
    """The bytes value_set_secret gets from src/store/secret.c."""
    data = open(path, "rb").read()
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    if len(data) > 64:
        data = hashlib.blake2b(data, digest_size=64).digest()
    return data


TREE_MIN = 1 << 20
TREE_LEAF = 256 << 10


def tree_root(data):
    """src/store/treehash.h: BLAKE2b-256 of each 256 KiB leaf, then of the
    length (u64) and the leaf digests in order."""
    h = hashlib.blake2b(digest_size=32)
    h.update(struct.pack("<Q", len(data)))
    for at in range(0, len(data), TREE_LEAF):
        h.update(hashlib.blake2b(data[at:at + TREE_LEAF], digest_size=32).digest())
    return h.digest()


def xxh3_128(data):
    """XXH3-128 in its canonical (big-endian) bytes, from Debian's
    libxxhash0 (a dependency of libxxhash-dev, which libmemo builds with)."""
    import ctypes

    class Hash(ctypes.Structure):
        _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]

    lib = ctypes.CDLL("libxxhash.so.0")
    lib.XXH3_128bits.restype = Hash
    lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    h = lib.XXH3_128bits(data, len(data))
    return struct.pack(">QQ", h.high64, h.low64)


def check(key, value, secret):
    version = struct.unpack_from("<H", value, 4)[0]
    payload = value[HEADER:]
    # version 3: a large payload enters as its tree root (src/store/value.h)
    body = tree_root(payload) if version >= 3 and len(payload) >= TREE_MIN else payload
    data = bytes.fromhex(key[3:]) + value[:CHECK_AT] + body
    # version 4 without a secret: XXH3-128, then 16 zero bytes
    if version >= 4 and not secret:
        return xxh3_128(data) + bytes(16)
    return hashlib.blake2b(data, digest_size=32, key=secret or b"").digest()


def parts(value):
    """The parts of a value; a version 2 value ends with its 8-byte tag."""
    out, p = [], HEADER
    end = len(value) - (8 if struct.unpack_from("<H", value, 4)[0] >= 2 else 0)
    while p < end:
        n = struct.unpack_from("<Q", value, p)[0]
        out.append((p + 8, n))
        p += 8 + n
    return out


def mutate(value, how):
    v = bytearray(value)
    ps = parts(v)
    if how.startswith("double:"):
        at, n = ps[0]
        assert n == 8, "the return value is not a double"
        v[at:at + 8] = struct.pack("<d", float(how[7:]))
    elif how == "xor":
        at, n = ps[-1]
        for i in range(at, at + n):
            v[i] ^= 0x5A
    elif how == "v3":
        v[4:6] = struct.pack("<H", 3)  # as version 3 wrote it: only its check differs
    else:
        sys.exit(f"unknown mutation '{how}'")
    return v


def seal(key, value, secret):
    value[CHECK_AT:HEADER] = check(key, bytes(value), secret)
    return bytes(value)


class Folder:
    def __init__(self, root):
        self.root = root

    def keys(self):
        return sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.root, "*", "m1-*")))

    def path(self, key):
        return glob.glob(os.path.join(self.root, "*", key))[0]

    def get(self, key):
        return open(self.path(key), "rb").read()

    def set(self, key, value):
        with open(self.path(key), "wb") as f:
            f.write(value)


class Memcached:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            self.read()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read(self):
        data = self.sock.recv(1 << 20)
        if not data:
            sys.exit("memcached closed the connection")
        self.buf += data

    def exact(self, n):
        while len(self.buf) < n:
            self.read()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def raw_get(self, key):
        self.sock.sendall(f"get {key}\r\n".encode())
        head = self.line()
        if head == b"END":
            return None, None
        _, _, flags, size = head.split()
        data = self.exact(int(size) + 2)[:-2]
        assert self.line() == b"END"
        return int(flags), data

    def raw_set(self, key, flags, data):
        self.sock.sendall(f"set {key} {flags} 0 {len(data)}\r\n".encode() + data + b"\r\n")
        reply = self.line()
        assert reply == b"STORED", reply

    def all_keys(self):
        # metadump lines end in "\n"; only its final END has "\r\n".
        self.sock.sendall(b"lru_crawler metadump all\r\n")
        while not self.buf.endswith(b"END\r\n"):
            self.read()
        lines, self.buf = self.buf.split(b"\n"), b""
        return [l.split()[0][4:].decode() for l in lines if l.startswith(b"key=")]

    def keys(self):
        return sorted(k for k in self.all_keys() if k.startswith("m1-") and "." not in k)

    def manifest(self, data):
        w, total, wid, chunk = struct.unpack_from("<QQQQ", data)
        assert w & 0xFFFFFFFF == MANIFEST_MAGIC
        return w >> 32, total, wid, chunk

    def get(self, key):
        flags, data = self.raw_get(key)
        if flags != MANIFEST_FLAG:
            return data
        n, total, wid, chunk = self.manifest(data)
        return b"".join(self.raw_get(f"{key}.{wid:016x}.c{i}")[1] for i in range(n))[:total]

    def set(self, key, value):
        flags, data = self.raw_get(key)
        if flags != MANIFEST_FLAG:
            return self.raw_set(key, flags, value)
        n, total, wid, chunk = self.manifest(data)
        assert len(value) == total
        for i in range(n):
            ck = f"{key}.{wid:016x}.c{i}"
            self.raw_set(ck, self.raw_get(ck)[0], value[i * chunk:(i + 1) * chunk])
        digest = hashlib.blake2b(value, digest_size=32).digest()
        self.raw_set(key, flags, data[:32] + digest)


def open_store(spec):
    kind, _, where = spec.partition(":")
    return {"folder": Folder, "memcached": Memcached}[kind](where)


def main():
    args = sys.argv[1:]
    secret = None
    if "--secret" in args:
        i = args.index("--secret")
        secret = load_secret(args[i + 1])
        del args[i:i + 2]
    cmd, store = args[0], open_store(args[1])
    if cmd == "chunks":
        print(sum(".c" in k for k in store.all_keys()))
        return
    keys = store.keys()
    if cmd == "verify":
        for k in keys:
            v = store.get(k)
            good = len(v) >= HEADER and check(k, v, secret) == v[CHECK_AT:HEADER]
            print(k, "ok" if good else "bad")
    elif cmd == "versions":
        for k in keys:
            print(k, struct.unpack_from("<H", store.get(k), 4)[0])
    elif cmd == "rewrite":
        for k in keys:
            store.set(k, seal(k, mutate(store.get(k), args[2]), secret))
        print(len(keys))
    elif cmd == "swap":
        assert len(keys) == 2, keys
        a, b = store.get(keys[0]), store.get(keys[1])
        store.set(keys[0], b)
        store.set(keys[1], a)
    else:
        sys.exit(f"unknown command '{cmd}'")


if __name__ == "__main__":
    main()
