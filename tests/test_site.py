"""The course website (``make site``): built once into a temporary folder, then checked
on its HTML (no solution, no hidden test, no key; every page says how to run it) and in
headless Chromium (no console error, no request leaving the machine, plots drawn,
every internal link resolving). Screenshots of two pages go to ``artifacts/``.

The browser part is skipped, with the reason shown, without chromium or playwright.
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import secrets
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tools.site.build import (
    EXERCISE_NOTE,
    WIDGET_NOTE,
    WIDGET_SNAPSHOT_NOTE,
    build,
    student_modules,
)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# A key set while the site builds: the build must drop it, so it can reach no page.
CANARY_KEY = "sk-" + secrets.token_hex(16)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")
TEXT_SUFFIXES = {".html", ".js", ".json", ".txt", ".ipynb", ".md", ".css", ".inv"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]
MODULES = student_modules()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site: ``(html folder, build report)``."""
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENAI_API_KEY", CANARY_KEY)
        mp.setenv("COURSE_LLM_BACKEND", "auto")
        report = build(out, jobs=2)
    return Path(report["html"]), report


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def visible_text(markup: str) -> str:
    """Text as a reader sees it: tags (syntax-highlight spans too) removed, entities decoded,
    whitespace collapsed. Code split into highlighted tokens is whole again."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def site_texts(html: Path) -> dict[str, str]:
    """Every text file of the site, raw and (for HTML) as visible text, keyed by path."""
    texts = {}
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            raw = path.read_text(encoding="utf-8", errors="replace")
            rel = str(path.relative_to(html))
            texts[rel] = raw
            if path.suffix == ".html":
                texts[rel + " (text)"] = visible_text(raw)
    return texts


def _cell_lines(nb_path: Path) -> set[str]:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return {" ".join(line.split()) for cell in nb["cells"]
            for line in "".join(cell["source"]).splitlines()}


def solution_only_lines() -> set[str]:
    """Distinctive lines of ``solutions/`` that no student notebook holds: the solutions,
    hidden tests and mark schemes. Lines also in a page published on purpose (README,
    datasheets, instructor guide) are left out."""
    published = " ".join(
        p.read_text(encoding="utf-8")
        for p in [ROOT / "README.md", ROOT / "docs" / "instructor.md", *(ROOT / "datasets").glob("*.md")]
    )
    published = " ".join(published.split())
    student = " \n ".join(line for module in MODULES
                          for line in _cell_lines(ROOT / "modules" / module / f"{module}.ipynb"))
    lines = set()
    for module in MODULES:
        for line in _cell_lines(ROOT / "solutions" / module / f"{module}.ipynb"):
            if (len(line) >= 24 and not any(m in line for m in MARKERS)
                    and line not in student and line not in published):
                lines.add(line)
    return lines


def test_site_has_the_landing_page_every_module_datasheet_and_the_instructor_guide(site):
    html, _ = site
    built = {str(p.relative_to(html)) for p in pages(html)}
    wanted = {"index.html", "instructor.html", "datasets/index.html",
              *(f"modules/{m}/{m}.html" for m in MODULES),
              *(f"datasets/{p.stem}.html" for p in (ROOT / "datasets").glob("*.md"))}
    assert wanted <= built, f"missing pages: {sorted(wanted - built)}"


def test_landing_page_is_the_readme_module_table_linking_each_module_page(site):
    html, _ = site
    index = (html / "index.html").read_text(encoding="utf-8")
    table = re.search(r"<table.*?</table>", index, flags=re.S)
    assert table, "the landing page has no module table"
    links = set(re.findall(r'href="([^"#]+)', table.group(0)))
    assert {f"modules/{m}/{m}.html" for m in MODULES} <= links


def test_built_html_holds_no_solution_hidden_test_or_nbgrader_marker(site):
    html, _ = site
    needles = solution_only_lines()
    # Enough distinctive lines that a leak of any module's solutions would be caught.
    assert len(needles) >= 10 * len(MODULES), len(needles)
    leaks = [(name, needle) for name, text in site_texts(html).items()
             for needle in (*MARKERS, *needles) if needle in text]
    assert not leaks, f"solution text in the site: {leaks[:10]}"


def test_the_leak_search_finds_code_lines_the_site_does_show(site):
    """The control for the test above: visible check-cell lines (syntax-highlighted in the
    HTML) are found by the same search, so an absent solution line is really absent."""
    html, _ = site
    shown = set()
    for module in MODULES:
        nb = json.loads((ROOT / "modules" / module / f"{module}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
                shown.add(" ".join("".join(cell["source"]).splitlines()[-1].split()))
    texts = " ".join(t for name, t in site_texts(html).items() if name.endswith("(text)"))
    missing = [line for line in shown if len(line) >= 24 and line not in texts]
    assert shown and not missing, missing[:5]


def test_no_key_reaches_the_site_and_every_module_ran_on_the_simulated_sandbox(site):
    html, _ = site
    assert not [name for name, text in site_texts(html).items() if CANARY_KEY in text]
    for module in MODULES:
        text = visible_text((html / "modules" / module / f"{module}.html").read_text(encoding="utf-8"))
        assert "SIMULATED models" in text, f"{module}: course.setup() did not report the sandbox"


def test_every_answer_cell_is_shown_as_an_exercise_to_do_in_jupyterlab(site):
    html, report = site
    title = visible_text(EXERCISE_NOTE.splitlines()[0].split("}", 1)[1])
    for module in MODULES:
        nb = json.loads((ROOT / "modules" / module / f"{module}.ipynb").read_text(encoding="utf-8"))
        answers = sum(1 for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
        text = visible_text((html / "modules" / module / f"{module}.html").read_text(encoding="utf-8"))
        assert answers > 0 and text.count(title) == answers, (module, answers, text.count(title))
        assert "Traceback" not in text and "NotImplementedError Traceback" not in text, module


def test_each_widget_becomes_a_note_followed_by_the_plot_it_drew(site):
    html, report = site
    note, snapshot = visible_text(WIDGET_NOTE.strip("*")), visible_text(WIDGET_SNAPSHOT_NOTE.strip(" *"))
    for module in report["modules"]:
        name = module["module"]
        text = visible_text((html / "modules" / name / f"{name}.html").read_text(encoding="utf-8"))
        assert text.count(note) == module["widgets"], name
        assert "widget-view" not in text and "IPY_MODEL_" not in text, name
    # A calculator draws its plot when it appears (05's self-host calculator does): kept.
    drawn = [m["module"] for m in report["modules"]
             if "<img" in (html / "modules" / m["module"] / f"{m['module']}.html")
             .read_text(encoding="utf-8").partition(snapshot)[2]]
    assert drawn, "no calculator's plot is on its page"


def test_every_page_says_how_to_run_it_and_module_pages_where_their_notebook_is(site):
    html, _ = site
    for page in pages(html):
        rel = page.relative_to(html)
        if rel.name in {"genindex.html", "search.html"}:
            continue
        text = visible_text(page.read_text(encoding="utf-8"))
        assert "make lab" in text and "make test" in text, f"{rel} does not say how to run it"
        if rel.parts[0] == "modules":
            module = rel.parent.name
            assert f"modules/{module}/{module}.ipynb" in text, f"{rel} does not say where its notebook is"


# --- in the browser ---------------------------------------------------------------------

def _why_no_browser() -> str:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return ""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    """The site on a loopback http.server: ``(base URL, html folder, report)``."""
    html, report = site
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", html, report
    finally:
        server.shutdown()
        server.server_close()


def _target(html: Path, path: str) -> Path:
    target = html / unquote(path).lstrip("/")
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


@pytest.mark.browser
def test_every_page_in_chromium_has_no_console_error_offsite_request_broken_link_or_missing_plot(served):
    why = _why_no_browser()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    base, html, report = served
    plots = {m["module"]: m["images"] for m in report["modules"]}
    host = urlsplit(base).netloc
    problems, offsite, checked_links = [], [], set()
    ids_cache: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids_cache:
            ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
        return ids_cache[path]

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def route(r):
                if urlsplit(r.request.url).netloc == host:
                    r.continue_()
                else:
                    offsite.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: console: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"{page.url}: page error: {e}"))
            page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.url}: HTTP {r.status}"))
            for path in pages(html):
                rel = path.relative_to(html).as_posix()
                page.goto(base + rel, wait_until="load")
                images = page.evaluate(
                    "() => [...document.images].map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth, i.naturalHeight])")
                broken = [src for src, done, w, h in images if not (done and w > 0 and h > 0)]
                assert not broken, f"{rel}: images not drawn: {broken}"
                if rel.startswith("modules/"):
                    module = path.parent.name
                    assert len(images) >= plots[module], f"{rel}: {len(images)} images, {plots[module]} plots"
                for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                    parts = urlsplit(href)
                    if parts.scheme not in ("http", "https") or parts.netloc != host:
                        continue
                    key = (parts.path, parts.fragment)
                    if key in checked_links:
                        continue
                    checked_links.add(key)
                    target = _target(html, parts.path)
                    if not target.is_file():
                        problems.append(f"{rel}: broken link {href}")
                    elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
                        problems.append(f"{rel}: link to a missing anchor {href}")
                if rel == "index.html":
                    page.screenshot(path=str(ARTIFACTS / "site-index.png"))
                if rel == "modules/01_cost_collapse/01_cost_collapse.html":
                    page.locator("img").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(ARTIFACTS / "site-01_cost_collapse.png"))
        finally:
            browser.close()
    assert not offsite, f"requests that left the machine: {sorted(set(offsite))[:10]}"
    assert not problems, "\n".join(problems[:20])
    # The walk covered the site: every page, and links into modules and datasheets.
    assert any(p.startswith("/modules/") for p, _ in checked_links)
    assert any(p.startswith("/datasets/") for p, _ in checked_links)
    assert sum(plots.values()) > 0
