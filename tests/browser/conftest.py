"""Browser harness: Debian's Chromium, the app served from a thread, axe-core on every page.

- `browser_type_launch_args` launches /usr/bin/chromium (Playwright cannot download its own).
- `live_server` serves the test's app (the `app` fixture: its own migrated SQLite file) on
  127.0.0.1 with CSRF on; `world` writes through the same file, so the browser sees it.
- `a11y` runs axe-core on the current page and fails with every violation listed. It also
  watches the page's navigations and fails the test at teardown if a page was loaded and not
  checked, so journeys must call `a11y()` after every page load.
- The Nu HTML Checker (vnu.jar, Java) checks the served HTML of every page `a11y()` checks, in
  one batch per test at teardown: 0 errors or the test fails. It runs when a jar is found at
  `VNU_JAR` or tests/browser/vendor/vnu.jar (32 MB, so not in git: `npm pack vnu-jar@26.9.27`
  and copy package/build/dist/vnu.jar there); without one the session summary says it did not run.
- Journey contexts have `bypass_csp=True`, so the fallback `add_script_tag` injection of axe is
  not refused by the app's CSP. (`a11y` loads axe with `add_init_script`, which CSP does not
  block.) `test_csp.py` checks the real CSP in a context without the bypass.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

TESTS = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VNU = Path(os.environ.get("VNU_JAR") or Path(__file__).resolve().parent / "vendor" / "vnu.jar")
JAVA = shutil.which("java")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Every page axe checked in this session: (path, title) -> number of checks.
CHECKED_PAGES: dict[tuple[str, str], int] = {}
# Documents the Nu HTML Checker validated, and the errors it found, this session.
VNU_STATS = {"documents": 0, "errors": 0}


def vnu_available() -> bool:
    return JAVA is not None and VNU.is_file()


@pytest.fixture(scope="session", autouse=True)
def vnu_required():
    """CI sets HOMES_QA_REQUIRE_VNU=1: there a missing checker fails the run instead of skipping it."""
    if os.environ.get("HOMES_QA_REQUIRE_VNU") == "1" and not vnu_available():
        pytest.fail(f"HOMES_QA_REQUIRE_VNU=1 but no vnu jar at {VNU} (or no java): run `make test`", pytrace=False)


# ---------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Debian's Chromium "
                    "(apt-get install -y chromium). They must run, not skip.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The app's CSP (script-src 'self' 'nonce-…') would refuse a <script> injected by add_script_tag.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


# ---------------------------------------------------------------- the app over HTTP

@pytest.fixture
def live_server(app):
    """The test's app on http://127.0.0.1:<free port>; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site(live_server, page):
    """Go to a path on the live server: `site("/sign-in")` returns the response."""
    def goto(path: str):
        return page.goto(live_server + path)
    goto.base = live_server
    return goto


@pytest.fixture(scope="session")
def password(pytestconfig) -> str:
    """PASSWORD from tests/conftest.py. Not importable here: both files are module `conftest`."""
    for plugin in pytestconfig.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == str(TESTS / "conftest.py"):
            return plugin.PASSWORD
    pytest.fail("tests/conftest.py is not loaded")


@pytest.fixture
def sign_in(page, password):
    """Fill and submit the sign-in form on the current page: `sign_in(user_or_email)`."""
    def submit(user_or_email, secret: str = password) -> None:
        page.get_by_label("Email address").fill(getattr(user_or_email, "email", user_or_email))
        page.get_by_label("Password", exact=True).fill(secret)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    return submit


# ---------------------------------------------------------------- axe-core

class AxeViolations(AssertionError):
    pass


def _format(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """axe-core violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):  # no init script in this context
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            // resultTypes: only violations get full node details (faster).
            const result = await axe.run(document, {runOnly: tags, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def _document(url: str) -> str:
    return url.split("#", 1)[0]


class HtmlErrors(AssertionError):
    pass


def run_vnu(documents: list[tuple[str, str]]) -> list[str]:
    """The Nu HTML Checker's errors for (url, html) documents, one JVM for the batch."""
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        names = {}
        for number, (url, html) in enumerate(documents):
            path = Path(folder) / f"page-{number:03d}.html"
            path.write_text(html, encoding="utf-8")
            names[path.as_uri()] = url
        done = subprocess.run([JAVA or "java", "-jar", str(VNU), "--errors-only", "--format", "json",
                               *sorted(str(Path(folder) / Path(n).name) for n in names)],
                              capture_output=True, text=True, timeout=300, check=False)
        messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = []
    for message in messages:
        if message.get("type") != "error":
            continue
        where = names.get(message.get("url", ""), message.get("url", ""))
        errors.append(f"- {where} line {message.get('lastLine', '?')}: {message.get('message')}"
                      f"\n    {message.get('extract', '').strip()[:200]}")
    return errors


class A11y:
    """`a11y()` checks the page with axe; records each page checked and each page left unchecked.

    With a vnu jar it also keeps the served HTML of each page checked, for `check_html()`.
    """

    def __init__(self, page):
        self.page = page
        self.checked: list[str] = []      # URLs checked, in order
        self.unchecked: list[str] = []    # pages navigated away from without a check
        self._current: str | None = None  # the document now loaded
        self._current_checked = True
        self._document_response = None    # the main frame's last document response
        self.documents: list[tuple[str, str]] = []  # (url, served HTML) for vnu
        page.on("framenavigated", self._navigated)
        if vnu_available():
            page.on("response", self._response)

    def _response(self, response) -> None:
        if response.request.resource_type == "document" and response.frame == self.page.main_frame:
            self._document_response = response

    def _navigated(self, frame) -> None:
        if frame != self.page.main_frame or frame.url.startswith("about:"):
            return
        url = frame.url
        # A same-document jump (#fragment) is not a new page.
        if "#" in url and self._current is not None and _document(url) == _document(self._current):
            return
        # Nor is htmx saving the current page to history (replaceState with the same URL)
        # before it pushes a filtered one.
        if url == self._current:
            return
        if self._current is not None and not self._current_checked:
            self.unchecked.append(self._current)
        self._current, self._current_checked = url, False

    def __call__(self, page=None) -> None:
        page = page or self.page
        page.wait_for_load_state()
        violations = run_axe(page)
        url = page.url
        self.checked.append(url)
        key = (urlsplit(url).path, page.title())
        CHECKED_PAGES[key] = CHECKED_PAGES.get(key, 0) + 1
        if page is self.page:
            self._current_checked = True
            self._keep_html(url)
        if violations:
            raise AxeViolations(_format(url, violations))

    def _keep_html(self, url: str) -> None:
        response, self._document_response = self._document_response, None
        if response is None or not vnu_available():
            return  # a same-document check (e.g. after an htmx swap): the served page was kept already
        if "html" not in (response.headers.get("content-type") or ""):
            return
        self.documents.append((url, response.text()))

    def check_html(self) -> None:
        """Every page kept passes the Nu HTML Checker with 0 errors."""
        if not self.documents:
            return
        errors = run_vnu(self.documents)
        VNU_STATS["documents"] += len(self.documents)
        VNU_STATS["errors"] += len(errors)
        self.documents = []
        if errors:
            raise HtmlErrors(f"the Nu HTML Checker found {len(errors)} error(s):\n" + "\n".join(errors))

    def assert_all_checked(self) -> None:
        pending = list(self.unchecked)
        if self._current is not None and not self._current_checked:
            pending.append(self._current)
        assert not pending, f"pages loaded but never checked with a11y(): {pending}"


@pytest.fixture
def a11y(page, request):
    # Load axe into every document of the context up front: about twice as fast as
    # add_script_tag after each load (V8 reuses the compiled script).
    page.context.add_init_script(path=str(AXE))
    checker = A11y(page)
    yield checker
    if not getattr(request.node, "_failed_call", False):
        checker.assert_all_checked()
        checker.check_html()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item._failed_call = True
    return report


def pytest_sessionfinish(session):
    # Under pytest-xdist each worker hands its pages and vnu counts to the controller,
    # which prints one summary (tests/conftest.py, pytest_testnodedown).
    if hasattr(session.config, "workeroutput") and CHECKED_PAGES:
        session.config.workeroutput["homes_qa_browser"] = json.dumps({
            "pages": [[path, title, count] for (path, title), count in CHECKED_PAGES.items()],
            "vnu": VNU_STATS, "vnu_available": vnu_available(), "vnu_name": VNU.name})


def pytest_terminal_summary(terminalreporter):
    if not CHECKED_PAGES:
        return
    terminalreporter.section("Nu HTML Checker")
    if vnu_available():
        terminalreporter.write_line(f"{VNU_STATS['documents']} documents checked with {VNU.name}, "
                                    f"{VNU_STATS['errors']} errors")
    else:
        terminalreporter.write_line(f"not run: no vnu jar at {VNU} (or no java); see this file's docstring")
    terminalreporter.section("axe-core: pages checked")
    for (path, title), count in sorted(CHECKED_PAGES.items()):
        terminalreporter.write_line(f"{count:3d} x {path}  ({title})")
