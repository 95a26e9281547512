#!/usr/bin/env python3
"""A far server, for the latency tests: a TCP relay on a kernel-chosen
loopback port that forwards to 127.0.0.1:TARGET, each chunk DELAY_MS later,
in both directions (a round trip costs twice DELAY_MS), order kept.

  mcdelay.py TARGET PORTFILE DELAY_MS     writes its port to PORTFILE
"""
import asyncio
import sys

import relay


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


target, portfile, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) / 1000
relay.serve(target, portfile, lambda: (lambda r, w: pump(r, w, delay),) * 2)
