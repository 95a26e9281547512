#!/usr/bin/env python3
"""Round trips counted, not timed: a TCP relay on a kernel-chosen loopback
port to 127.0.0.1:TARGET that reads the text protocol going up and logs, one
line each, in the order they pass:

  <conn> req <verb> <first key>      each request a client sends
  <conn> rt                          each round trip: the server's first
                                     reply after the client sent something

A noreply request sent with the next one is thus part of that one's round
trip, and one whose reply never comes (a noreply delete at the end) is in
none. Each line is written before the bytes it describes are passed on, so
the log is whole once the client has exited.

  mccount.py TARGET PORTFILE LOGFILE     writes its port to PORTFILE
"""
import asyncio
import os
import sys

STORAGE = {b"set", b"add", b"replace", b"append", b"prepend", b"cas"}


def log(out, line):
    out.write(line + "\n")
    out.flush()


async def up(reader, writer, conn, state, out):
    """Client to server: parse requests, skipping storage commands' data."""
    buf, skip = b"", 0
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        state["sent"] = True
        buf += data
        while True:
            if skip:
                n = min(skip, len(buf))
                buf, skip = buf[n:], skip - n
                if skip:
                    break
            end = buf.find(b"\r\n")
            if end < 0:
                break
            words, buf = buf[:end].split(), buf[end + 2:]
            if not words:
                continue
            log(out, "%d req %s %s" % (conn, words[0].decode(errors="replace"),
                                       words[1].decode(errors="replace") if len(words) > 1 else "-"))
            if words[0] in STORAGE and len(words) >= 5 and words[4].isdigit():
                skip = int(words[4]) + 2
        writer.write(data)
        await writer.drain()
    writer.close()


async def down(reader, writer, conn, state, out):
    """Server to client: a round trip ends at the first reply after a send."""
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        if state["sent"]:
            state["sent"] = False
            log(out, "%d rt" % conn)
        writer.write(data)
        await writer.drain()
    writer.close()


async def main():
    target, portfile, logfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    out = open(logfile, "a")
    conns = [0]

    async def client(reader, writer):
        conns[0] += 1
        conn, state = conns[0], {"sent": False}
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(up(reader, up_w, conn, state, out),
                             down(up_r, writer, conn, state, out), return_exceptions=True)

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.sockets[0].getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
