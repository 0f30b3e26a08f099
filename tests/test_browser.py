"""The report as a reader sees it: headless Chromium (Debian's `chromium`, which `make test` installs), driven
by Playwright, with no network. The demo report loads without console errors or requests, every section has
content, the marker table sorts and filters and the plots draw; a cohort whose sample ids, feature names and
clinical values carry HTML and script shows them as text and runs none of them."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from oncomix.plots import subtype_colours
from oncomix.simulate import write_cohort
from tests.conftest import DEMO_TYPES, REPO, run_workflow

CHROMIUM = Path("/usr/bin/chromium")
# as root, with no network: no sandbox, and none of Chromium's background connections
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECTIONS = (
    "summary",
    "cohort",
    "integration",
    "subtypes",
    "comparison",
    "biomarkers",
    "targeting",
    "survival",
    "clinical",
    "interpretation",
    "methods",
    "warnings",
)
SCREENSHOTS = REPO / "results" / "browser-tests"
pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} not found: `make test` installs Debian's chromium package (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_report(browser: Browser, path: Path, unfold: bool = True) -> tuple[Page, list[str]]:
    """The page and the list that collects its console errors and warnings, uncaught errors, dialogs
    (alert, confirm...) and requests to anything but the file itself and inlined data; with ``unfold``, every
    section unfolded by the menu's "expand all" button."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}") if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(("file:", "data:")) else problems.append(f"request: {request.url}")
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if unfold:
        page.locator("nav button.sections").click()
    return page, problems


def column_values(page: Page, table: str, header: str, every_row: bool = False) -> list[str]:
    """The column's cells in the rows shown (the filter's matches on the current page), or in every row."""
    headers = page.locator(f"#{table} thead th").all_inner_texts()
    column = next(i for i, text in enumerate(headers) if text.strip().rstrip("▲▼ ").strip() == header)
    if every_row:
        return [
            text.strip() for text in page.locator(f"#{table} tbody tr td:nth-child({column + 1})").all_text_contents()
        ]
    return page.locator(f"#{table} tbody tr:visible td:nth-child({column + 1})").all_inner_texts()


def test_demo_report_opens_with_every_section_and_no_console_error(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html", unfold=False)
    for section in SECTIONS:
        page.locator(f'nav a[href="#{section}"]').click()  # the menu unfolds the section it leads to
        assert len(page.locator(f"section#{section}").inner_text()) > 200, (
            f"section {section} is missing or nearly empty"
        )
    assert page.locator("#embedding svg circle").count() == 300  # one point per tumour
    assert page.locator("#marker-table tbody tr").count() > 50 and page.locator("#target-table tbody tr").count() > 10
    assert (
        page.locator("section#survival img").count() == 1
        and "Run time per stage" in page.locator("section#methods").inner_text()
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "demo_report.png", full_page=True)
    assert (SCREENSHOTS / "demo_report.png").stat().st_size > 100_000
    assert problems == []


def test_the_subtype_cards_come_first_and_no_page_scrolls_sideways(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 900):
        page.set_viewport_size({"width": width, "height": 900})
        cards = page.locator("article.card")
        assert cards.count() == 4 and "Markers" in cards.first.inner_text()
        bottom = max(box["y"] + box["height"] for box in (cards.nth(i).bounding_box() for i in range(4)))
        assert bottom <= 2 * 900, f"the cards end {bottom:.0f} px down at {width} px"  # within the first two screens
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # wide tables scroll inside themselves
        page.screenshot(path=SCREENSHOTS / f"demo_report_{width}px.png")
    assert problems == []


def test_details_wait_folded_until_asked_for(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html", unfold=False)
    sections = page.locator("details.section")
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    assert sections.count() == page.locator("main > section").count() - 1  # every section but the summary
    warnings = page.locator("section#warnings div.warning").count()
    assert page.evaluate("[...document.querySelectorAll('details.section')].map(d => d.open)") == [False] * (
        sections.count() - 1
    ) + [warnings > 0]  # warnings, when there are any, are not folded away
    assert page.locator("#cohort-at-a-glance img").is_visible()  # the summary and its figure are never folded
    page.locator("#card-ST2 a", has_text="its markers").click()  # a card's link unfolds its section, filtered
    assert page.locator("#marker-table").is_visible() and not page.locator("#target-table").is_visible()
    assert set(column_values(page, "marker-table", "subtype")) == {"ST2"}
    assert set(column_values(page, "marker-table", "subtype", every_row=True)) == {f"ST{i}" for i in range(1, 5)}
    page.locator("nav button.sections").click()
    assert page.locator("nav button.sections").inner_text() == "collapse all"
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * folded_height
    page.locator("nav button.sections").click()  # "collapse all" folds the warnings too
    assert page.evaluate("document.documentElement.scrollHeight") <= folded_height
    page.goto((demo_run / "results/demo/report.html").as_uri() + "#signature")  # a link from elsewhere
    assert page.locator("#signature").is_visible() and not page.locator("#target-table").is_visible()
    assert problems == []


def test_marker_table_sorts_filters_and_pages(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    total = page.locator("#marker-table tbody tr").count()
    assert page.locator("#marker-table tbody tr:visible").count() == 10  # one page
    assert page.locator("[data-pager-for=marker-table] span").inner_text() == f"page 1 of {-(-total // 10)}"
    page.locator("#marker-table thead th", has_text="AUC").click()
    ascending = [float(v) for v in column_values(page, "marker-table", "AUC")]
    assert len(ascending) == 10 and ascending == sorted(ascending)
    page.locator("[data-pager-for=marker-table] .next").click()
    second = [float(v) for v in column_values(page, "marker-table", "AUC")]
    assert second == sorted(second) and second[0] >= ascending[-1]  # the next 10, still in order
    page.locator("#marker-table thead th", has_text="AUC").click()
    descending = [float(v) for v in column_values(page, "marker-table", "AUC")]
    assert descending == sorted(descending, reverse=True) and descending[0] > ascending[-1]  # back on page 1
    page.fill("input[data-table=marker-table]", "ST2 protein")
    matching = page.eval_on_selector_all(
        "#marker-table tbody tr", "rows => rows.filter((r) => r.dataset.match === '1').length"
    )
    shown = column_values(page, "marker-table", "view")
    assert 0 < matching < total and len(shown) == min(10, matching)
    assert set(shown) == {"protein"} and set(column_values(page, "marker-table", "subtype")) == {"ST2"}
    assert page.locator("[data-count-for=marker-table]").inner_text() == f"{matching} of {total} rows"
    page.fill("input[data-table=marker-table]", "")
    assert page.locator("#marker-table tbody tr:visible").count() == 10
    assert problems == []


def test_every_table_longer_than_a_page_shows_ten_rows_and_pages(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    tables = page.evaluate(
        """Array.from(document.querySelectorAll('main section table'), (t) => [t.tHead !== null,
        t.tBodies[0].rows.length, Array.from(t.tBodies[0].rows).filter((r) => !r.hidden).length])"""
    )
    long = [(head, shown) for head, rows, shown in tables if rows - (not head) > 10]  # a header row in the body
    assert len(long) >= 8 and all(head and shown == 10 for head, shown in long), tables
    factors = page.locator("section#integration table.sortable").first  # a table without an id pages too
    first = factors.locator("tbody tr:visible").all_inner_texts()
    pager = factors.locator("xpath=following-sibling::div[1]")
    pager.locator(".next").click()
    assert "page 2 of" in pager.inner_text() and not set(first) & set(
        factors.locator("tbody tr:visible").all_inner_texts()
    )
    assert problems == []


def test_secondary_columns_wait_behind_a_toggle_so_the_marker_table_fits(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    page.set_viewport_size({"width": 1400, "height": 900})
    headers, toggle = page.locator("#marker-table thead th"), page.locator("button.columns[aria-controls=marker-table]")
    shown_headers = page.locator("#marker-table thead th:visible")
    width = "(t) => [t.scrollWidth, t.clientWidth]"
    assert headers.count() == 17 and shown_headers.count() == 11
    scrolled, shown = page.eval_on_selector("#marker-table", width)
    assert scrolled <= shown  # no sideways scroll inside the table either
    assert (
        "separation" not in shown_headers.all_inner_texts()
        and page.locator("#marker-table td.extra:visible").count() == 0
    )
    toggle.click()
    assert shown_headers.count() == 17 and toggle.inner_text() == "fewer columns"
    assert "separation" in shown_headers.all_inner_texts()
    toggle.click()
    assert shown_headers.count() == 11 and toggle.inner_text() == "all columns"
    assert problems == []


def test_plots_answer_the_reader(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    colours = set(subtype_colours(pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t")["subtype"]).values())
    fills = "els => [...new Set(els.map((e) => e.getAttribute('fill')))]"
    assert set(page.eval_on_selector_all("#embedding svg circle", fills)) == colours  # the figures' subtype colours
    link = page.locator("a.feature-link").first
    feature = link.get_attribute("data-feature")
    link.click()
    assert (
        feature in page.locator("#distribution svg").text_content()
        and page.locator("#distribution svg circle").count() > 100
    )
    assert set(page.eval_on_selector_all("#distribution svg rect", fills)) == colours
    page.select_option("#embedding-colour", "sex")
    assert "female" in page.locator("#embedding .legend").inner_text()
    page.select_option("#embedding-colour", "age")  # numeric: a gradient from the lowest to the highest age
    assert page.locator("#embedding .legend span").count() == 2
    many = "Array.from('abcdefghijkl', (level, i) => Array(12 - i).fill(level)).flat()"  # 12 values, fewer colours
    assert page.evaluate(f"shownLevels({many})") == list("abcdefghi")  # the 9 most frequent keep a colour each
    assert page.evaluate(f"[colourScale({many}, 'categorical')('l'), colourScale({many}, 'categorical')('a')]") == [
        "#707070",
        "#e63946",
    ]
    assert page.evaluate(f"legend({many}, 'categorical', colourScale({many}, 'categorical')).textContent").endswith(
        "iother (3 values)"
    )
    page.select_option("#embedding-x", "Factor3")
    assert page.locator("#embedding svg").get_attribute("aria-label") == "Factor3 against Factor2"
    assert problems == []


def test_every_table_saves_as_csv(demo_run, browser):
    page, problems = open_report(browser, demo_run / "results/demo/report.html")
    assert page.locator("main section table").count() == page.locator("button.csv").count() >= 20
    with page.expect_download() as download:
        page.locator("#marker-table").locator("xpath=preceding-sibling::button[1]").click()
    assert download.value.suggested_filename == "biomarkers_marker-table.csv"
    saved = pd.read_csv(download.value.path())
    rows = page.locator("#marker-table tbody tr").count()
    assert (
        len(saved) == rows
        and {"AUC", "separation", "MOFA factor: weight"} <= set(saved.columns)  # hidden columns are saved too
        and set(saved["view"]) == set(column_values(page, "marker-table", "view", every_row=True))
    )
    cells = page.evaluate(
        """[csvCell('=SUM(A1:A9)'), csvCell('-0.5'), csvCell('a, "b"'), csvCell(' two\\n lines '), """
        """csvCell('x;=SUM(A1)')]"""
    )
    assert cells == [
        "'=SUM(A1:A9)",
        "-0.5",
        '"a, ""b"""',
        "two lines",
        '"x;=SUM(A1)"',
    ]  # a formula is text; quoting as RFC 4180
    assert problems == []


ATTACKS = {  # each sets window.pwned if it ever runs
    "id": "<img src=x onerror=\"window.pwned='id'\">",
    "feature": "<script>window.pwned='feature'</script>",
    "value": "</script><script>window.pwned='value'</script>",
    "protein": "<svg onload=\"window.pwned='protein'\">",
}


def hostile_cohort(cohort, folder: Path) -> dict[str, str]:
    """The small cohort with HTML in every sample id, in a clinical column and in the name of the strongest planted
    RNA and protein marker (so that the report shows them); returns the renamed features by view."""
    cohort = copy.deepcopy(cohort)
    ids = {sample: f"{sample}{ATTACKS['id']}" for sample in cohort.samples["sample_id"]}
    cohort.samples["sample_id"] = cohort.samples["sample_id"].map(ids)
    cohort.samples["note"] = [ATTACKS["value"] if i % 2 else "plain" for i in range(len(cohort.samples))]
    renamed = {}
    for view, attack in (("rna", ATTACKS["feature"]), ("protein", ATTACKS["protein"])):
        planted = cohort.truth_markers[cohort.truth_markers["view"] == view]
        strongest = planted.loc[planted["effect"].abs().idxmax(), "feature"]
        cohort.views[view] = cohort.views[view].rename(index={strongest: attack})
        renamed[view] = attack
    for frame in cohort.views.values():
        frame.columns = frame.columns.map(ids)
    write_cohort(cohort, folder)
    return renamed


def test_html_in_the_input_is_shown_as_text_and_never_runs(tmp_path, small_cohort, browser):
    renamed = hostile_cohort(small_cohort, tmp_path / "data")
    config = {
        "cohort": "hostile",
        "samples": str(tmp_path / "data/samples.tsv"),
        "seed": 1,
        "omics": {
            view: {"path": str(tmp_path / f"data/{view}.tsv.gz"), "type": kind} for view, kind in DEMO_TYPES.items()
        },
        "survival": {"time": "os_months", "event": "os_event"},
        "compare_to": "simulated_subtype",
        "clinical_columns": ["note", "sex"],
        "baselines": ["concat_pca"],
        "markers": {"replication_splits": 1},
        "clustering": {"k_max": 5, "resamples": 10, "null_draws": 0},
        "signature": {"outer_folds": 2, "inner_folds": 2, "penalties": [0.1]},
    }
    run = run_workflow(tmp_path, config)
    assert run.returncode == 0, run.stderr[-3000:]
    page, problems = open_report(browser, tmp_path / "results/hostile/report.html")
    for attack in renamed.values():  # listed as text in the marker table, and its distribution drawn with it as title
        assert attack in column_values(page, "marker-table", "feature", every_row=True)
        page.fill("input[data-table=marker-table]", attack)  # its row onto the page shown
        page.locator("a.feature-link", has_text=attack).first.click()
        assert attack in page.locator("#distribution svg").text_content()
    page.select_option("#embedding-colour", "note")
    assert ATTACKS["value"] in page.locator("#embedding .legend").inner_text()
    assert ATTACKS["id"] in page.locator("#embedding svg circle title").first.text_content()  # the hover text
    assert ATTACKS["value"] in page.locator("section#clinical").inner_text()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "hostile_report.png", full_page=True)
    assert page.evaluate("window.pwned") is None and problems == []


def test_snakemake_report_bundles_the_results(demo_run):
    """`snakemake --report` (Snakemake's own report) after the run: the HTML report and the captioned tables."""
    out = demo_run / "results/demo/snakemake-report.zip"
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(demo_run),
        "--report",
        str(out),
        "--configfile",
        str(demo_run / "demo.yaml"),
    ]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    listing = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(out)], capture_output=True, text=True).stdout
    for name in ("report.html", "subtypes.tsv", "biomarkers.tsv", "targets.tsv", "cox_subtypes.tsv", "table_one.tsv"):
        assert name in listing, name
