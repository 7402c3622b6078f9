"""A local model upstream: OpenAI chat completions with usage and tool calls, plain or SSE streamed,
and Anthropic messages (tool_use blocks); also captures whatever is POSTed to /webhook (LiteLLM's
generic webhook logger)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}


def completion_message(body: dict) -> dict:
    """Calls the first tool the client offered, else answers in text."""
    tools = body.get("tools") or []
    if tools:
        name = tools[0]["function"]["name"]
        call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps({"city": "Paris"})}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}
    return {"role": "assistant", "content": "hello from the mock upstream"}


def anthropic_message(body: dict) -> dict:
    """Calls the first tool the client offered, as an Anthropic tool_use block, else answers in text."""
    tools = body.get("tools") or []
    content = [{"type": "tool_use", "id": "toolu_1", "name": tools[0]["name"], "input": {"city": "Paris"}}] if tools else [{"type": "text", "text": "hello from the mock upstream"}]
    return {
        "id": "msg_mock", "type": "message", "role": "assistant", "model": body.get("model"), "content": content,
        "stop_reason": "tool_use" if tools else "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": USAGE["prompt_tokens"], "output_tokens": USAGE["completion_tokens"]},
    }


class MockUpstream:
    def __init__(self) -> None:
        self.webhook_batches: list = []
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                if self.path == "/webhook":
                    owner.webhook_batches.append(body)
                    return self.send_json({"ok": True})
                if self.path not in ("/v1/chat/completions", "/v1/messages"):
                    return self.send_json({"error": {"message": "not found"}}, 404)
                owner.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if self.path == "/v1/messages":
                    return self.send_json(anthropic_message(body))
                message = completion_message(body)
                if body.get("stream"):
                    return self.stream(body, message)
                finish = "tool_calls" if message.get("tool_calls") else "stop"
                self.send_json({
                    "id": "chatcmpl-mock", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": USAGE,
                })

            def send_json(self, doc, status=200):
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def stream(self, body, message):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                base = {"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": int(time.time()), "model": body.get("model")}
                if message.get("tool_calls"):
                    call = dict(message["tool_calls"][0], index=0)
                    deltas = [{"role": "assistant", "content": None, "tool_calls": [call]}]
                    finish = "tool_calls"
                else:
                    deltas = [{"role": "assistant", "content": "hello "}, {"content": "streamed"}]
                    finish = "stop"
                chunks = [dict(base, choices=[{"index": 0, "delta": d, "finish_reason": None}]) for d in deltas]
                chunks.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
                chunks.append(dict(base, choices=[], usage=USAGE))
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
