"""Take the README's screenshot of a cited answer from a running app (real model).

    STREAMLIT_PORT=8515 TICKETS_DATA_DIR=/tmp/demo scripts/run.sh &   # then:
    .venv/bin/python scripts/cited_answer_screenshot.py http://127.0.0.1:8515 [--no-ask]

Signs in through the demo sign-in's picker as Ada (an identity in a link is never honoured),
opens the kettle ticket, asks a question the refund
article answers, waits for the reply and its source link, and writes
docs/screenshots/cited-answer.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

QUESTION = "Can I still return it for a refund? It was delivered 12 days ago."
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "cited-answer.png"


def main(url: str, ask: bool = True) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.set_default_timeout(240_000)
        page.goto(f"{url}/?ticket=tk-demo-kettle")
        page.locator("[data-testid='stSelectbox']").click()
        page.get_by_role("option", name=re.compile("Ada Lovelace")).click()
        page.get_by_role("button", name="Continue").click()
        if ask:
            page.get_by_placeholder("Write a message").fill(QUESTION)
            page.keyboard.press("Enter")
        source = page.get_by_role("button", name="📄 Refund policy").last
        source.wait_for()
        page.wait_for_timeout(1500)
        source.scroll_into_view_if_needed()
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT))
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8515", "--no-ask" not in sys.argv)
