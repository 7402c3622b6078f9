"""The hook when Tollgate cannot decide: fail closed by default, open only when configured.
Called directly with a Starlette request, as LiteLLM's proxy calls it."""

import asyncio
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import pytest  # noqa: E402
from litellm.proxy._types import ProxyException  # noqa: E402
from starlette.requests import Request  # noqa: E402

from processes import free_port  # noqa: E402
from tollgate_litellm import user_api_key_auth  # noqa: E402
from tollgate_litellm.settings import settings  # noqa: E402


def chat_request() -> Request:
    body = json.dumps({"model": "mock-gpt", "messages": []}).encode()
    scope = {
        "type": "http", "method": "POST", "path": "/v1/chat/completions", "query_string": b"", "scheme": "http",
        "headers": [(b"authorization", b"Bearer some-key"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 4000),
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


@pytest.fixture
def hook_env(monkeypatch):
    def configure(url: str, fail_open: bool = False):
        monkeypatch.setenv("TOLLGATE_URL", url)
        monkeypatch.setenv("TOLLGATE_FAIL_OPEN", "true" if fail_open else "false")
        monkeypatch.setenv("TOLLGATE_TIMEOUT_MS", "500")
        settings.cache_clear()

    yield configure
    settings.cache_clear()


@pytest.fixture
def broken_tollgate():
    """Answers every authorize call with HTTP 500."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(500)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_unreachable_tollgate_denies_with_503(hook_env):
    hook_env(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ProxyException) as denied:
        asyncio.run(user_api_key_auth(chat_request(), "some-key"))
    assert (denied.value.code, denied.value.type) == ("503", "tollgate_unavailable")


def test_tollgate_error_denies_with_503(hook_env, broken_tollgate):
    hook_env(broken_tollgate)
    with pytest.raises(ProxyException) as denied:
        asyncio.run(user_api_key_auth(chat_request(), "some-key"))
    assert denied.value.code == "503"


def test_fail_open_lets_the_call_through_unidentified(hook_env):
    hook_env(f"http://127.0.0.1:{free_port()}", fail_open=True)
    auth = asyncio.run(user_api_key_auth(chat_request(), "some-key"))
    assert auth.user_id is None and auth.metadata == {"tollgate_fail_open": True}
    assert "some-key" not in (auth.api_key or "")
