"""The model for the load test: an OpenAI-compatible server on loopback that answers at once
(so what is measured is the app, not a model). Prints its base URL, then serves."""

from __future__ import annotations

import time

from tests.support.fake_openai import FakeOpenAIServer

if __name__ == "__main__":
    server = FakeOpenAIServer().start()
    print(server.base_url, flush=True)
    while True:
        time.sleep(3600)
