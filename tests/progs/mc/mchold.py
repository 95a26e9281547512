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

import relay


def held_add(words):
    return words[:1] == [b"add"] and b"noreply" not in words[5:]


async def up(reader, writer, hold):
    async for words, raw in relay.requests(reader):
        if held_add(words) and os.path.exists(hold):
            open(hold + ".held", "w").close()
            while os.path.exists(hold):
                await asyncio.sleep(0.01)
        writer.write(raw)
        await writer.drain()
    writer.close()


target, portfile, hold = int(sys.argv[1]), sys.argv[2], sys.argv[3]
relay.serve(target, portfile, lambda: (lambda r, w: up(r, w, hold), relay.copy))
