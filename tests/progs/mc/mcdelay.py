#!/usr/bin/env python3
"""A far server, for the latency tests: a TCP relay on a kernel-chosen
loopback port that forwards to 127.0.0.1:TARGET, each chunk DELAY_MS later,
in both directions (a round trip costs twice DELAY_MS), order kept.

  mcdelay.py TARGET DELAY_MS PORTFILE     writes its port to PORTFILE
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(send())
    while True:
        data = await reader.read(1 << 16)
        await queue.put((loop.time() + delay, data or None))
        if not data:
            break
    await sender


async def main():
    target, delay, portfile = int(sys.argv[1]), float(sys.argv[2]) / 1000, sys.argv[3]

    async def client(reader, writer):
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pump(reader, up_w, delay), pump(up_r, writer, delay),
                             return_exceptions=True)

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.sockets[0].getsockname()[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
