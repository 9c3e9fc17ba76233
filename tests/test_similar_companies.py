"""Near-match warnings: the quick upper bounds skip work, never a company."""

import random
from difflib import SequenceMatcher

from tests import factories as f
from webapp.extensions import db
from webapp.services.registrations import similar_companies

NAMES = ["Nordic Screens", "Nordisk Film", "Nordic Screen AB", "Screens of the North",
         "Mediaset", "Media Set Italia", "RTL Group", "RTL Nederland", "Canal+", "Canal Plus",
         "Sky Deutschland", "Sky UK", "Skyline Media", "Nord", "Arte", "Artemis Films"]


def _every_close_company(name: str) -> list[str]:
    """The rule, applied to every company with the full ratio."""
    key = " ".join(name.split()).casefold()
    scored = []
    for company_name in NAMES:
        other = company_name.casefold()
        ratio = SequenceMatcher(None, key, other).ratio()
        if ratio >= 0.75 or key in other or other in key:
            scored.append((-ratio, company_name))
    return [company_name for _, company_name in sorted(scored)][:3]


def test_the_same_companies_as_the_full_ratio_over_every_company(ctx):
    for name in NAMES:
        f.company(name)
    db.session.commit()
    typed = NAMES + ["nordic  screens", "Nordic Scren", "RTL", "Sky", "Canal", "Media",
                     "Artemis", "Screens"]
    rng = random.Random(7)
    typed += ["".join(rng.sample(name, len(name))) for name in NAMES]  # shuffled letters

    for name in typed:
        found = [company.name for company in similar_companies(name)]
        expected = _every_close_company(name) if len(name.strip()) >= 3 else []
        assert sorted(found) == sorted(expected), name
