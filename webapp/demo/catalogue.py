"""The demo catalogue: a distributor's slate of made-up programmes.

A few flagship titles are fixed (the end-to-end tests and demos use them); the rest are
built from word lists with the random source passed in, so every load gives the same
catalogue. No images: the website shows its placeholders.
"""

import re
from datetime import UTC, datetime, timedelta

from webapp.extensions import db
from webapp.models import Episode, Genre, Programme, Season

SCREENERS = "https://screeners.example.com"
NEW_PROGRAMMES = 5  # added in the last weeks
GENRES = ["Drama", "Crime", "Thriller", "Comedy", "Documentary", "Natural History", "History",
          "Factual", "Kids", "Lifestyle", "Reality", "Sci-Fi", "Music", "Sport"]

# (title, type, genres, year, seasons of episode counts, synopsis)
FLAGSHIPS = [
    ("The Fjord Murders", "Series", ["Crime", "Drama", "Thriller"], 2022, [8, 8, 6],
     "Detective Ingrid Halvorsen returns to the fishing town she fled twenty years ago, where "
     "a body in the harbour reopens the case that drove her away."),
    ("Wild Atlantic", "Documentary", ["Natural History"], 2024, [],
     "A year on the wild western edge of Europe, from basking sharks to puffin cliffs."),
    ("Kitchen Kings", "Format", ["Lifestyle", "Reality"], 2021, [10, 10],
     "Amateur cooks take over a restaurant for a week; the guests decide who keeps it."),
    ("The Lighthouse Keepers", "Series", ["Drama"], 2023, [6, 6],
     "Three generations of one family keep a Scottish lighthouse alive as the sea rises."),
    ("Orbit Station Nine", "Series", ["Sci-Fi", "Thriller"], 2025, [10],
     "A mining station at the edge of the solar system loses contact with Earth."),
    ("Pip and the Paper Boats", "Kids", ["Kids"], 2020, [13, 13, 13],
     "Pip folds paper boats that sail into other children's stories."),
]

PLACES = ["Hallsberg", "Kestrel Bay", "Marrow Point", "Ravensholm", "Ashgrove", "Skerry Head",
          "Elvenes", "Dunmore", "Calder Vale", "Saltmarsh", "Norrvik", "Bramwell", "Ostend Road",
          "Lindenau", "Greyfriars", "Port Aven", "Karsk", "Bellhaven"]
MYSTERIES = ["Silence", "Verdict", "Undertow", "Confession", "Vanishing", "Witness", "Ledger",
             "Fault Line", "Cold Trail", "Alibi", "Drowning", "Informant", "Reckoning", "Tide"]
ADJECTIVES = ["Bitter", "Golden", "Quiet", "Broken", "Northern", "Distant", "Restless", "Hidden",
              "Burning", "Silver", "Last", "Second", "Borrowed", "Hollow", "Wild", "Secret"]
NOUNS = ["Tides", "Harvest", "Orchard", "Winter", "Daughters", "Crown", "Shore", "Summer",
         "Inheritance", "Kingdom", "Frontier", "Season", "Rooms", "Hours", "Promises", "Sons"]
PEOPLE = ["Gerald", "Maud", "Dougie", "Priya", "Otto", "Bernadette", "Stan", "Ingrid", "Nell",
          "Frank", "Mo", "Rosalind", "Yusuf", "Agnes"]
THINGS = ["Allotment", "Caravan", "Chip Shop", "Choir", "Wedding", "Driving School", "Campsite",
          "Guesthouse", "Book Club", "Ferry", "Bakery", "Five-a-Side"]
SUBJECTS = ["The Silk Road", "Cathedrals", "The Hanseatic League", "The Vikings", "Lost Cities",
            "The Space Race", "Ice Ages", "The Railway Age", "Forgotten Queens", "Lighthouses",
            "The Great Exhibitions", "Ancient Roads", "The Printing Press"]
SUBTITLES = ["A Journey", "Rise and Fall", "The Untold Story", "In Their Own Words",
             "The Makers", "From Above", "The Last Witnesses"]
ANIMALS = ["Otters", "Wolves", "Eagles", "Orcas", "Lynx", "Bears", "Puffins", "Seals", "Bison",
           "Hummingbirds", "Octopuses", "Elephants", "Foxes"]
ANIMAL_HOMES = [("Otters", "Rivers"), ("Wolves", "Mountains"), ("Eagles", "Highlands"),
                ("Orcas", "Fjords"), ("Bears", "Arctic"), ("Puffins", "Islands"),
                ("Bison", "Plains"), ("Hummingbirds", "Rainforest"), ("Elephants", "Savannah"),
                ("Foxes", "City"), ("Camels", "Desert"), ("Cranes", "Wetlands")]
HABITATS = ["Arctic", "Rainforest", "Coast", "Desert", "Mountains", "Wetlands", "Savannah",
            "Deep Ocean", "Islands"]
CREATURES = ["Dragon", "Robot", "Penguin", "Pirate", "Dinosaur", "Rocket", "Monster", "Owl"]
JOBS = ["Renovation", "Farm", "Island", "Bake", "Road Trip", "Wilderness", "Design", "Dating"]
SCIFI = ["Orbit", "Signal", "Meridian", "Exodus", "Halcyon", "Parallax", "Zenith", "Cascade"]
EPISODE_TITLES = ["Homecoming", "The Storm", "Old Debts", "Low Tide", "Crossings",
                  "The Letter", "Fault Lines", "Aftermath", "Night Ferry", "First Light",
                  "The Return", "Blood Ties", "Safe Harbour", "Open Water", "The Reckoning"]
SYNOPSES = {
    "Drama": "{who} must hold {what} together when {event}.",
    "Crime": "In {place}, a {detective} investigates {case}, and the town closes ranks.",
    "Thriller": "{who} has {time} to uncover {case} before {event}.",
    "Comedy": "{person} and friends try to save the {thing} in {place}, with mixed results.",
    "Documentary": "{subject}, told by the people who know it best.",
    "Natural History": "The {animals} of the {habitat}, filmed through a whole year.",
    "History": "{subject}: the people, places and turning points behind the story.",
    "Factual": "Behind the scenes of {place}'s busiest week of the year.",
    "Kids": "A curious {creature} and friends learn something new in every episode.",
    "Lifestyle": "Homes, food and gardens from {place}, with ideas to take home.",
    "Reality": "Twelve strangers, one {job} challenge, and a prize that changes everything.",
    "Sci-Fi": "When a signal reaches {place}, {who} must decide who to trust.",
    "Music": "The songs and stories of {place}'s legendary music scene.",
    "Sport": "A season inside {place}'s underdog team, on and off the pitch.",
}
WHO = ["a widowed fisherman", "two estranged sisters", "a young doctor", "a retired judge",
       "a family of farmers", "a newly elected mayor", "the crew of a research ship"]
WHAT = ["the family business", "a failing hospital", "the farm", "a small-town newspaper"]
EVENTS = ["a stranger arrives with a claim on the land", "the factory closes",
          "an old secret surfaces", "the storm of the century hits", "the election is called"]
CASES = ["a decades-old disappearance", "a string of arson attacks", "a poisoned well",
         "a missing ferry", "the death of a local hero"]
DETECTIVES = ["weary detective", "rookie officer", "coroner", "journalist", "former police chief"]
TIMES = ["48 hours", "one night", "seven days", "until the ferry leaves"]

# genre -> (programme types to choose from, runtime range in minutes)
KINDS = {
    "Drama": (["Series", "Series", "Film"], (45, 60)),
    "Crime": (["Series", "Series", "Film"], (45, 60)),
    "Thriller": (["Series", "Film"], (45, 60)),
    "Comedy": (["Series", "Series", "Special"], (22, 30)),
    "Documentary": (["Documentary", "Docuseries"], (50, 90)),
    "Natural History": (["Documentary", "Docuseries"], (48, 60)),
    "History": (["Docuseries", "Documentary"], (45, 60)),
    "Factual": (["Docuseries", "Series"], (30, 60)),
    "Kids": (["Kids"], (11, 24)),
    "Lifestyle": (["Format", "Series"], (30, 60)),
    "Reality": (["Format", "Series"], (45, 60)),
    "Sci-Fi": (["Series", "Film"], (45, 60)),
    "Music": (["Special", "Documentary"], (60, 100)),
    "Sport": (["Docuseries", "Special"], (40, 60)),
}
RELATED = {"Drama": ["Crime", "History", "Comedy"], "Crime": ["Drama", "Thriller"],
           "Thriller": ["Crime", "Sci-Fi", "Drama"], "Comedy": ["Drama", "Kids"],
           "Documentary": ["History", "Factual", "Music"], "Natural History": ["Documentary"],
           "History": ["Documentary", "Drama"], "Factual": ["Documentary", "Lifestyle"],
           "Kids": ["Comedy", "Factual"], "Lifestyle": ["Factual", "Reality"],
           "Reality": ["Lifestyle", "Factual"], "Sci-Fi": ["Thriller", "Drama"],
           "Music": ["Documentary"], "Sport": ["Documentary", "Factual"]}


def _title(genre: str, rng) -> str:
    c = rng.choice
    makers = {
        "Drama": lambda: f"{c(ADJECTIVES)} {c(NOUNS)}",
        "Crime": lambda: c([f"The {c(PLACES)} {c(MYSTERIES)}", f"{c(MYSTERIES)} at {c(PLACES)}"]),
        "Thriller": lambda: c([f"The {c(MYSTERIES)}", f"{c(ADJECTIVES)} {c(MYSTERIES)}"]),
        "Comedy": lambda: f"{c(PEOPLE)}'s {c(THINGS)}",
        "Documentary": lambda: f"{c(SUBJECTS)}: {c(SUBTITLES)}",
        "Natural History": lambda: c([f"Wild {c(HABITATS)}", f"The Secret Life of {c(ANIMALS)}",
                                      "{} of the {}".format(*c(ANIMAL_HOMES))]),
        "History": lambda: f"{c(SUBJECTS)}: {c(SUBTITLES)}",
        "Factual": lambda: f"Inside {c(PLACES)}",
        "Kids": lambda: c([f"Captain {c(CREATURES)}", f"{c(CREATURES)} and {c(PEOPLE)}",
                           f"The {c(ADJECTIVES)} {c(CREATURES)}"]),
        "Lifestyle": lambda: c([f"{c(PLACES)} Kitchen", f"Homes of {c(PLACES)}",
                                f"The {c(THINGS)} Makeover"]),
        "Reality": lambda: c([f"The {c(JOBS)} Challenge", f"Survive the {c(HABITATS)}",
                              f"Love at {c(PLACES)}"]),
        "Sci-Fi": lambda: f"{c(SCIFI)} {c(['Station', 'Protocol', 'Rising', 'Seven', 'Drift'])}",
        "Music": lambda: f"{c(PLACES)} Sessions",
        "Sport": lambda: f"{c(PLACES)} United: {c(['The Season', 'Against the Odds'])}",
    }
    return makers[genre]()


def _synopsis(genre: str, rng) -> str:
    c = rng.choice
    return SYNOPSES[genre].format(
        who=c(WHO), what=c(WHAT), event=c(EVENTS), place=c(PLACES), detective=c(DETECTIVES),
        case=c(CASES), time=c(TIMES), person=c(PEOPLE), thing=c(THINGS).lower(),
        subject=c(SUBJECTS), animals=c(ANIMALS).lower(), habitat=c(HABITATS).lower(),
        creature=c(CREATURES).lower(), job=c(JOBS).lower())


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _add_seasons(programme: Programme, episode_counts: list[int], rng) -> None:
    url = f"{SCREENERS}/{_slug(programme.title)}"
    titles = iter(rng.sample(EPISODE_TITLES, len(EPISODE_TITLES)))  # each used once at most
    for number, count in enumerate(episode_counts, start=1):
        season = Season(number=number, year=(programme.year or 2020) + number - 1,
                        screener_url=f"{url}/s{number}" if rng.random() < 0.5 else None)
        for episode_number in range(1, count + 1):
            season.episodes.append(Episode(
                number=episode_number, title=next(titles, ""),
                runtime_minutes=programme.runtime_minutes,
                screener_url=(f"{url}/s{number}/e{episode_number}"
                              if rng.random() < 0.3 else None)))
        programme.seasons.append(season)


def load_demo_catalogue(rng, count: int = 132) -> dict[str, int]:
    """Add `count` programmes (the flagships first) over GENRES; returns what was made."""
    genres = {name: Genre(name=name) for name in GENRES}
    titles = set()
    programmes = []
    for title, kind, names, year, seasons, synopsis in FLAGSHIPS:
        programme = Programme(
            title=title, programme_type=kind, year=year, synopsis=synopsis,
            genres=[genres[n] for n in names], runtime_minutes=KINDS[names[0]][1][1],
            episode_count=sum(seasons) or None, screener_url=f"{SCREENERS}/{_slug(title)}")
        _add_seasons(programme, seasons, rng)
        titles.add(title)
        programmes.append(programme)
    main_genres, clashes = list(KINDS), 0
    while len(programmes) < count:
        # On a clash, move on to the next genre, so no genre's word list can run dry.
        genre = main_genres[(len(programmes) + clashes) % len(main_genres)]
        title = _title(genre, rng)
        if title in titles:
            clashes += 1
            continue
        titles.add(title)
        kinds, (shortest, longest) = KINDS[genre]
        kind = rng.choice(kinds)
        extra = [g for g in RELATED[genre] if rng.random() < 0.35][:2]
        programme = Programme(
            title=title, programme_type=kind, year=rng.randint(1998, 2026),
            synopsis=_synopsis(genre, rng), genres=[genres[g] for g in [genre, *extra]],
            runtime_minutes=(rng.randint(85, 130) if kind == "Film"
                             else rng.randint(shortest, longest)))
        if kind in ("Series", "Docuseries", "Kids", "Format") and rng.random() < 0.45:
            seasons = [rng.randint(4, 10) for _ in range(rng.randint(2, 4))]
            _add_seasons(programme, seasons, rng)
            programme.episode_count = sum(seasons)
        elif kind not in ("Film", "Special", "Documentary"):
            programme.episode_count = rng.randint(3, 13)
        if rng.random() < 0.6:
            programme.screener_url = f"{SCREENERS}/{_slug(title)}"
        programmes.append(programme)
    # Added over the past years, the last few in recent weeks: the buyers' "new programmes".
    now = datetime.now(UTC)
    for n, programme in enumerate(reversed(programmes)):
        programme.created_at = now - timedelta(days=3 + 5 * n if n < NEW_PROGRAMMES
                                               else 60 + 4 * n)
    db.session.add_all(programmes)
    db.session.flush()
    seasons = [s for p in programmes for s in p.seasons]
    return {
        "programmes": len(programmes),
        "genres": len(genres),
        "seasons": len(seasons),
        "episodes": sum(len(s.episodes) for s in seasons),
    }
