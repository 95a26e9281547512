#!/usr/bin/env python3
"""A relay that stops one client at a chosen request, for the race tests: a
TCP relay on a kernel-chosen loopback port to 127.0.0.1:TARGET that passes
everything on, except that while the file HOLD exists, an `add` that asks
for a reply (no `noreply`) is held, with all its client sends after it,
until HOLD is removed. HOLD.held is created once such an `add` is held, so
the test knows the client stands between its last reply and that `add`.
Other connections go on meanwhile.

  mchold.py TARGET PORTFILE HOLD     writes its port to PORTFILE
"""
import asyncio
import os
import sys

STORAGE = {b"set", b"add", b"replace", b"append", b"prepend", b"cas"}


def held_add(words):
    return words[0] == b"add" and b"noreply" not in words[5:]


async def up(reader, writer, hold):
    """Client to server, request by request (storage commands' data skipped)."""
    buf, skip = b"", 0
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        buf += data
        while True:
            if skip:
                n = min(skip, len(buf))
                writer.write(buf[:n])
                buf, skip = buf[n:], skip - n
                if skip:
                    break
            end = buf.find(b"\r\n")
            if end < 0:
                break
            words = buf[:end].split()
            if words and held_add(words) and os.path.exists(hold):
                await writer.drain()
                open(hold + ".held", "w").close()
                while os.path.exists(hold):
                    await asyncio.sleep(0.01)
            writer.write(buf[:end + 2])
            buf = buf[end + 2:]
            if words and words[0] in STORAGE and len(words) >= 5 and words[4].isdigit():
                skip = int(words[4]) + 2
        await writer.drain()
    writer.close()


async def down(reader, writer):
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def main():
    target, portfile, hold = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    async def client(reader, writer):
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(up(reader, up_w, hold), down(up_r, writer),
                             return_exceptions=True)

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.sockets[0].getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
