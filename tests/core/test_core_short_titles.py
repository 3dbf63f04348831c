"""Issue 12: obligation titles without the home's name, on pages that already name the home."""
from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.formats import without_home


def test_the_home_part_is_dropped():
    assert without_home("Gas safety check — Alder House — 2026", "Alder House") == "Gas safety check — 2026"
    assert without_home("Reg 44 report written — Alder House — visit on Mon 7 Dec 2026",
                        "Alder House") == "Reg 44 report written — visit on Mon 7 Dec 2026"


def test_other_titles_are_kept_whole():
    assert without_home("Gas safety check — Birch House — 2026", "Alder House") == "Gas safety check — Birch House — 2026"
    assert without_home("QPAG report — Whole service — 2026-11", "Alder House") == "QPAG report — Whole service — 2026-11"
    assert without_home("Gas safety check — Alder House — 2026", None) == "Gas safety check — Alder House — 2026"
    # a rule title that merely contains the name is not the home part
    assert without_home("Alder House fire drill", "Alder House") == "Alder House fire drill"
    assert without_home("Alder House — Alder House — 2026", "Alder House") == "Alder House — 2026"


words = st.text(st.characters(exclude_characters="—"), min_size=1, max_size=20)


@given(rule=words, home=words, period=words)
def test_round_trip(rule, home, period):
    title = f"{rule} — {home} — {period}"
    short = without_home(title, home)
    assert short.startswith(rule) and short.endswith(period) and len(short) == len(title) - len(home) - 3
