"""What the test relays (mcdelay.py, mccount.py, mchold.py) share: a TCP
server on a kernel-chosen loopback port that opens a connection to
127.0.0.1:TARGET for each client and runs the two directions between them;
and the text protocol's requests as a client sends them.

  serve(target, portfile, directions)   runs until killed; writes its port
                                        to PORTFILE (renamed into place)
"""
import asyncio
import os

STORAGE = {b"set", b"add", b"replace", b"append", b"prepend", b"cas"}


def serve(target, portfile, directions):
    """directions(): a new client's (up, down), coroutine functions taking
    (reader, writer): client to server, and server to client."""
    async def client(reader, writer):
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        up, down = directions()
        await asyncio.gather(up(reader, up_w), down(up_r, writer), return_exceptions=True)

    async def main():
        server = await asyncio.start_server(client, "127.0.0.1", 0)
        with open(portfile + ".tmp", "w") as f:
            f.write("%d\n" % server.sockets[0].getsockname()[1])
        os.rename(portfile + ".tmp", portfile)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


async def copy(reader, writer):
    """Pass the bytes on as they come."""
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def requests(reader):
    """The requests a client sends, one at a time, as (words of its line,
    its bytes with a storage command's data); bytes left at the end that
    make no whole request come last, with no words."""
    buf = b""
    while True:
        end = buf.find(b"\r\n")
        if end >= 0:
            words = buf[:end].split()
            n = end + 2
            if words and words[0] in STORAGE and len(words) >= 5 and words[4].isdigit():
                n += int(words[4]) + 2
            if len(buf) >= n:
                yield words, buf[:n]
                buf = buf[n:]
                continue
        data = await reader.read(1 << 16)
        if not data:
            if buf:
                yield [], buf
            return
        buf += data
