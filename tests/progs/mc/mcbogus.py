#!/usr/bin/env python3
"""A memcached stand-in, for the tests of a reply's length and of a total
deadline (store_memcached.c, mc_io.c).

  mcbogus.py PORTFILE LENGTH [DRIP_MS]

Listens on 127.0.0.1, on a port the kernel picks, and writes the port to
PORTFILE (complete: by rename). With a LENGTH (any text, e.g. -2), answers
each key of a get or gets with "VALUE <key> 0 LENGTH" and nothing after it
but END, and takes every set, add or cas (STORED). With LENGTH `real`, keeps
what is stored and answers as memcached does: VALUE lines for the keys it
has, then END; STORED, NOT_STORED (an add of a key it has), DELETED or
NOT_FOUND. Either way: nothing under noreply; stats with END; anything else
with ERROR. With DRIP_MS, every reply is sent one byte at a time, DRIP_MS
apart: a server that is never silent for long, and never done.
Serves connections until it is killed.
"""
import os
import socketserver
import sys
import time

STORAGE = (b"set", b"add", b"replace", b"append", b"prepend", b"cas")


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            self.serve()
        except OSError:     # the client hung up (libmemo quits such a stream)
            pass

    def reply(self, data):
        if not DRIP:
            self.wfile.write(data)
            return
        for i in range(len(data)):
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(DRIP)

    def get(self, keys):
        out = b""
        for k in keys:
            if LENGTH != b"real":
                out += b"VALUE %s 0 %s\r\n" % (k, LENGTH)
            elif k in ITEMS:
                flags, value = ITEMS[k]
                out += b"VALUE %s %s %d 1\r\n%s\r\n" % (k, flags, len(value), value)
        return out + b"END\r\n"

    def store(self, words):
        value = self.rfile.read(int(words[4]) + 2)[:-2]
        if words[0] == b"add" and words[1] in ITEMS:
            return b"NOT_STORED\r\n"
        ITEMS[words[1]] = (words[2], value)
        return b"STORED\r\n"

    def serve(self):
        while True:
            line = self.rfile.readline()
            if not line:
                return
            words = line.split()
            if not words:
                continue
            cmd = words[0]
            if cmd in (b"get", b"gets"):
                out = self.get(words[1:])
            elif cmd in STORAGE and len(words) >= 5:
                out = self.store(words)
                if words[-1] == b"noreply":
                    continue
            elif cmd == b"delete" and len(words) >= 2:
                out = b"DELETED\r\n" if ITEMS.pop(words[1], None) else b"NOT_FOUND\r\n"
            elif cmd == b"stats":
                out = b"END\r\n"
            elif cmd == b"quit":
                return
            else:
                out = b"ERROR\r\n"
            self.reply(out)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True


LENGTH = sys.argv[2].encode()
DRIP = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0
ITEMS = {}
server = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
