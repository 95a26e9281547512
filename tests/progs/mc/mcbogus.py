#!/usr/bin/env python3
"""A memcached stand-in whose every value announces a length it never sends,
for the tests of a reply's length (store_memcached.c checks it before
anything is allocated for it).

  mcbogus.py PORTFILE LENGTH

Listens on 127.0.0.1, on a port the kernel picks, and writes the port to
PORTFILE (complete: by rename). Answers each key of a get or gets with
"VALUE <key> 0 LENGTH" and nothing after it but END; a set, add or cas with
STORED (nothing under noreply); stats with END; anything else with ERROR.
Serves connections until it is killed.
"""
import os
import socketserver
import sys

STORAGE = (b"set", b"add", b"replace", b"append", b"prepend", b"cas")


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            self.serve()
        except OSError:     # the client hung up (libmemo quits such a stream)
            pass

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
                out = b"".join(b"VALUE %s 0 %s\r\n" % (k, LENGTH) for k in words[1:])
                self.wfile.write(out + b"END\r\n")
            elif cmd in STORAGE and len(words) >= 5:
                self.rfile.read(int(words[4]) + 2)
                if words[-1] != b"noreply":
                    self.wfile.write(b"STORED\r\n")
            elif cmd == b"stats":
                self.wfile.write(b"END\r\n")
            elif cmd == b"quit":
                return
            else:
                self.wfile.write(b"ERROR\r\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True


LENGTH = sys.argv[2].encode()
server = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
