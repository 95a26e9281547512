#!/usr/bin/env python3
"""A remote hit through pyDVL's 2023 `memcached()` decorator, for the README's
comparison with libmemo (issue 17): N distinct points of a scalar function
are stored, then each is asked again (every call a hit), timed per call, on
the memcached at 127.0.0.1:PORT. pyDVL is no dependency of libmemo: install
it in a virtual environment of its own (README, "Comparing with pyDVL").

  pydvl_hit.py PORT [N]      prints "pydvl_hit <ns> ns" (the best of 3 rounds)
"""
import sys
import time

from pydvl.utils import MemcachedClientConfig, memcached


def scalar(a: int, b: float) -> float:
    return a * b + 1.0


def main():
    port = int(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    config = MemcachedClientConfig(server=("127.0.0.1", port))
    # time_threshold = 0: every result is stored, as libmemo's bench stores its
    cached = memcached(client_config=config, time_threshold=0)(scalar)
    for i in range(n):
        cached(i, 0.5)
    best = None
    for _ in range(3):
        t = time.perf_counter()
        for i in range(n):
            cached(i, 0.5)
        ns = (time.perf_counter() - t) / n * 1e9
        best = ns if best is None else min(best, ns)
    print("pydvl_hit %.0f ns" % best)


main()
