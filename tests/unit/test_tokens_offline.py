"""Token counting works with the network blocked (nothing is downloaded at run time)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_token_counting_needs_no_network() -> None:
    # A fresh interpreter, so nothing is cached from other tests, with every socket refused.
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import urllib.request
        try:  # the block works: a download attempt fails here
            urllib.request.urlopen("https://openaipublic.blob.core.windows.net/", timeout=5)
        except OSError as exc:
            assert "network blocked by the test" in str(exc), exc
        else:
            raise AssertionError("the network was not blocked")
        from memory.tokens import OfflineTokenCounter
        counter = OfflineTokenCounter("o200k_base")
        assert counter.count("hello world") == 2, counter.count("hello world")
        assert OfflineTokenCounter("cl100k_base").encode_ordinary("hello world") == [15339, 1917]
        assert counter.count("<|endoftext|> typed by a user") > 3  # ordinary text, not special
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
