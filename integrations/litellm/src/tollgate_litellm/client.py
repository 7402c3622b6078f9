"""One pooled HTTP client per event loop (an httpx client must not cross loops)."""

import asyncio
import weakref

import httpx

from tollgate_litellm.settings import settings

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]" = weakref.WeakKeyDictionary()


def client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    found = _clients.get(loop)
    if found is None or found.is_closed:
        found = httpx.AsyncClient(
            base_url=settings().url,
            timeout=httpx.Timeout(settings().timeout_s),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        _clients[loop] = found
    return found
