"""How a finished report reads in a browser (issue 23): file size, and per window width the page's height, where
the last subtype card ends, whether the page scrolls sideways and how long it takes to load, in headless Chromium
(Debian's, as tests/test_browser.py uses it).

    .venv/bin/python bench/report_layout.py results/demo/report.html
"""

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main(report: Path) -> None:
    print(f"{report}: {report.stat().st_size / 1e6:.2f} MB")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width in (1400, 900):
            page = browser.new_page(viewport={"width": width, "height": 900})
            start = time.perf_counter()
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            seconds = time.perf_counter() - start
            cards = [box for box in (card.bounding_box() for card in page.locator("article.card").all()) if box]
            cards_end = max((box["y"] + box["height"] for box in cards), default=float("nan"))
            height, scroll = page.evaluate(
                "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
            )
            print(
                f"{width} px wide: page {height} px tall, {len(cards)} cards ending {cards_end:.0f} px down, "
                f"scroll width {scroll} px, loaded in {seconds:.2f} s"
            )
            page.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
