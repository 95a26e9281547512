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
import sys

import relay


def log(out, line):
    out.write(line + "\n")
    out.flush()


async def up(reader, writer, conn, state, out):
    """Client to server: each request logged, then passed on."""
    async for words, raw in relay.requests(reader):
        state["sent"] = True
        if words:
            log(out, "%d req %s %s" % (conn, words[0].decode(errors="replace"),
                                       words[1].decode(errors="replace") if len(words) > 1 else "-"))
        writer.write(raw)
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


def directions():
    """A new connection's: numbered in the order they come."""
    conns[0] += 1
    conn, state = conns[0], {"sent": False}
    return (lambda r, w: up(r, w, conn, state, out),
            lambda r, w: down(r, w, conn, state, out))


target, portfile, logfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = open(logfile, "a")
conns = [0]
relay.serve(target, portfile, directions)
