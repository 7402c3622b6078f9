"""Runs the real peers for the suite: Tollgate (node) and the LiteLLM proxy, reading their output."""

import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Process:
    """A child process whose combined output is collected line by line."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]):
        self.args = args
        self.lines: list[str] = []
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Tollgate(Process):
    """`node bin/tollgate.js serve` on free ports; its stdout is the JSON log (app and audit records)."""

    def __init__(self, root: Path, env: dict[str, str]):
        super().__init__(["node", "bin/tollgate.js", "serve"], root, env)
        listening = wait_until(lambda: next((r for r in self.records() if r.get("message") == "tollgate listening"), None), 30, "tollgate listening")
        self.url = f"http://127.0.0.1:{listening['http_port']}"

    def records(self, log_type: str | None = None) -> list[dict]:
        out = []
        for line in list(self.lines):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if log_type is None or record.get("log_type") == log_type:
                out.append(record)
        return out


def clean_env(**extra: str) -> dict[str, str]:
    """The parent environment without anything that would change either server's behaviour."""
    drop = ("TOLLGATE_", "LITELLM_", "GENERIC_LOGGER_", "DATABASE_URL", "OPENAI_", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env
