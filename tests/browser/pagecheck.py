"""Checks run on every dashboard page in the browser: no sideways scrolling on a phone, no
serious or critical accessibility violation (axe-core, vendored), a screenshot at each width."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .conftest import SCREENSHOTS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = 390
DESKTOP = 1280
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        assert self.checked, "No page was checked."
        assert not self.problems, "\n".join(self.problems)


def overflow(page) -> tuple[int, list[str]]:
    """The document's scroll width, and the widest elements that stick out (for the message)."""
    return page.evaluate(
        """(limit) => {
          const width = document.documentElement.scrollWidth;
          const culprits = [];
          if (width > limit) {
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.right > limit + 1 && r.width > 0) {
                const id = el.id ? '#' + el.id : '';
                const cls = el.className && typeof el.className === 'string'
                  ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                const right = Math.round(r.right);
                culprits.push(`${el.tagName.toLowerCase()}${id}${cls} right=${right}`);
              }
              if (culprits.length >= 6) break;
            }
          }
          return [width, culprits];
        }""",
        PHONE,
    )


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing at {AXE} (vendored with the tests).")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)
          }));
        }"""
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["nodes"])
        for v in results
        if v["impact"] in BLOCKING_IMPACTS
    ]


def check_page(session, path: str, name: str, findings: Findings, *, status: int = 200) -> None:
    """Open `path` at desktop and phone width in this session's window and check it."""
    page = session.page
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        where = f"{session.username} {path} at {width}px"
        if response is None or response.status != status:
            got = response.status if response else "no response"
            findings.problems.append(f"{where}: status {got}, expected {status}")
            continue
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if width == PHONE:
            scroll_width, culprits = overflow(page)
            if scroll_width > PHONE:
                findings.problems.append(
                    f"{where}: {scroll_width}px wide (sideways scrolling); "
                    f"sticking out: {', '.join(culprits)}"
                )
        for violation in axe_violations(page):
            findings.problems.append(f"{where}: {violation}")
    findings.checked.append(f"{session.username} {path}")
