"""Session fixtures: a built Tollgate with two API keys, the mock upstream, and one real LiteLLM proxy
(slow to start, so started once) running the shipped deploy/litellm/config.yaml."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_upstream import MockUpstream
from processes import Process, Tollgate, clean_env, free_port, wait_until

ROOT = Path(__file__).resolve().parents[3]
HOOK_TOKEN = f"hook-{secrets.token_hex(16)}"
# LiteLLM refuses to start without a strong master key, even when custom auth decides every call.
MASTER_KEY = f"sk-{secrets.token_hex(32)}"

LITELLM_CONFIG = ROOT / "deploy" / "litellm" / "config.yaml"
SHIPPED_CALLBACKS = 'callbacks: ["tollgate_litellm.outcome_logger"]'


def render_config() -> str:
    """The shipped config, plus LiteLLM's generic webhook logger so the suite can capture its payloads
    (test_generic_webhook_payload_links_to_the_same_decision); upstream addresses come from the environment."""
    text = LITELLM_CONFIG.read_text()
    if SHIPPED_CALLBACKS not in text:
        raise AssertionError(f"{LITELLM_CONFIG} no longer contains {SHIPPED_CALLBACKS}; update render_config")
    return text.replace(SHIPPED_CALLBACKS, 'callbacks: ["tollgate_litellm.outcome_logger", "generic_api"]')


def create_key(keys_file: Path, subject: str, models: str) -> dict:
    out = subprocess.run(
        ["node", "bin/tollgate.js", "keys", "create", "--file", str(keys_file), "--subject", subject, "--models", models, "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def tollgate(tmp_path_factory):
    if os.environ.get("TOLLGATE_SKIP_BUILD") != "1":
        subprocess.run(["npm", "run", "build", "--silent"], cwd=ROOT, check=True)
    keys_file = tmp_path_factory.mktemp("tollgate") / "keys.yaml"
    keys = {"svc-a": create_key(keys_file, "svc-a", "gpt-4o-mini,claude-*"), "svc-b": create_key(keys_file, "svc-b", "gpt-4o"),
            "svc-limited": create_key(keys_file, "svc-limited", "gpt-4o-mini")}
    server = Tollgate(ROOT, clean_env(
        TOLLGATE_HOST="127.0.0.1", TOLLGATE_HTTP_PORT="0", TOLLGATE_ADMIN_PORT="0", TOLLGATE_GRPC_PORT="0",
        TOLLGATE_KEYS_FILE=str(keys_file), TOLLGATE_HOOK_TOKEN=HOOK_TOKEN,
        TOLLGATE_LIMITS__RULES="[{name: litellm-suite, match: {subject: svc-limited}, rpm: 2}]",
    ))
    server.keys = keys
    yield server
    server.stop()


@pytest.fixture(scope="session")
def upstream():
    with MockUpstream() as mock:
        yield mock


@pytest.fixture(scope="session")
def litellm(tollgate, upstream, tmp_path_factory):
    config = tmp_path_factory.mktemp("litellm") / "config.yaml"
    config.write_text(render_config())
    port = free_port()
    proxy = Process(
        [str(Path(sys.executable).parent / "litellm"), "--config", str(config), "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"],
        ROOT,
        clean_env(
            PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"),
            OPENAI_BASE_URL=f"{upstream.url}/v1", OPENAI_API_KEY="mock-upstream-key",
            ANTHROPIC_BASE_URL=upstream.url, ANTHROPIC_API_KEY="mock-upstream-key",
            LITELLM_MASTER_KEY=MASTER_KEY, TOLLGATE_URL=tollgate.url, TOLLGATE_HOOK_TOKEN=HOOK_TOKEN, TOLLGATE_TIMEOUT_MS="2000",
            LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_MODE="PRODUCTION", LITELLM_DONT_SHOW_FEEDBACK_BOX="1", LITELLM_LOG="ERROR",
            GENERIC_LOGGER_ENDPOINT=f"{upstream.url}/webhook",
            GENERIC_LOGGER_HEADERS=f"x-tollgate-hook-token={HOOK_TOKEN}",
            DEFAULT_FLUSH_INTERVAL_SECONDS="1",
        ),
    )
    url = f"http://127.0.0.1:{port}"

    def live():
        if proxy.proc.poll() is not None:
            raise AssertionError(f"litellm exited with {proxy.proc.returncode}:\n{proxy.output()[-4000:]}")
        try:
            return httpx.get(f"{url}/health/liveliness", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(live, 180, "LiteLLM proxy liveliness", interval=0.5)
    proxy.url = url
    yield proxy
    proxy.stop()
