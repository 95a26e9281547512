#!/usr/bin/env python3
"""A foreign memcached client for the end-to-end tests: speaks the text
protocol itself, knows nothing of libmemo.

  mcraw.py PORT keys              every key on the server (lru_crawler metadump)
  mcraw.py PORT get KEY OUT       the value, written to the file OUT
  mcraw.py PORT set KEY IN        store the bytes of the file IN under KEY
  mcraw.py PORT delete KEY
"""
import socket
import sys
import urllib.parse


def talk(port, request, until):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(request)
    data = b""
    while not any(data.endswith(u) for u in until):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def main():
    port, cmd = int(sys.argv[1]), sys.argv[2]
    if cmd == "keys":
        out = talk(port, b"lru_crawler metadump all\r\n", [b"END\r\n"])
        for line in out.decode().splitlines():
            if line.startswith("key="):
                print(urllib.parse.unquote(line.split()[0][4:]))
    elif cmd == "get":
        key = sys.argv[3].encode()
        out = talk(port, b"get " + key + b"\r\n", [b"END\r\n"])
        head, _, rest = out.partition(b"\r\n")
        if not head.startswith(b"VALUE"):
            sys.exit("mcraw: no value under " + sys.argv[3])
        n = int(head.split()[3])
        open(sys.argv[4], "wb").write(rest[:n])
    elif cmd == "set":
        data = open(sys.argv[4], "rb").read()
        req = b"set %s 0 0 %d\r\n" % (sys.argv[3].encode(), len(data)) + data + b"\r\n"
        out = talk(port, req, [b"\r\n"])
        if out != b"STORED\r\n":
            sys.exit("mcraw: set answered %r" % out)
    elif cmd == "delete":
        out = talk(port, b"delete " + sys.argv[3].encode() + b"\r\n", [b"\r\n"])
        if out != b"DELETED\r\n":
            sys.exit("mcraw: delete answered %r" % out)
    else:
        sys.exit("mcraw: unknown command " + cmd)


if __name__ == "__main__":
    main()
