"""Generate a synthetic corpus in the seeds/ format, for measuring dipkg at scale.

Usage: python bench/generate.py --articles N --out DIR [--seed S] [--violations K] [--world-scale F]

Writes DIR/entities/corpus.yaml (a few thousand shared actors, places and posts, used with a
long-tailed frequency) and DIR/articles/ID/{article.txt,meta.yaml,annotation.yaml} for N articles
of 5 to 20 events each, covering every event type, with quotations, claims and weekday time
expressions. Every evidence quote occurs verbatim in its text. The same seed gives the same bytes.
--violations K makes K articles break one SHACL constraint each (an actor sanctioning itself, or a
summons of someone who holds no ambassador's post) that the loader does not check, so that
`dipkg build --no-validate` writes them and validators can be compared on them.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml


class SeedDumper(yaml.SafeDumper):
    """Writes every value in full: the seeds format refuses YAML aliases of lists and mappings."""

    def ignore_aliases(self, data: object) -> bool:
        return True


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "ten",
    "vo",
    "shi",
    "an",
    "del",
    "mor",
    "zu",
    "bel",
    "tor",
    "ni",
    "sa",
    "rin",
)
ALLEGATIONS = ("coercion", "interference", "disinformation", "human-rights-abuses", "aggression", "espionage")
TOPICS = ("trade", "human-rights", "security", "energy", "maritime-rights", "cyber")


def name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(frozen=True)
class Cite:
    """Words of the article and the sentence they were written in."""

    words: str
    sentence: int


@dataclass
class World:
    """The shared entities of the corpus."""

    countries: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    ambassadors: list[tuple[str, str, str, str]] = field(default_factory=list)  # person, post, from, to
    ministers: list[tuple[str, str, str]] = field(default_factory=list)  # person, post, country
    organizations: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    non_ambassadors: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    entities: dict[str, dict[str, object]] = field(default_factory=dict)
    posts: dict[str, dict[str, object]] = field(default_factory=dict)


def build_world(rng: random.Random, scale: float = 1.0) -> World:
    world = World()

    def sized(count: int, least: int) -> int:
        return max(least, round(count * scale))

    used: set[str] = set()

    def unique(kind: str, parts: int) -> tuple[str, str]:
        while True:
            label = name(rng, parts)
            key = f"{kind}-{label.lower()}"
            if key not in used:
                used.add(key)
                return key, label

    for _ in range(sized(200, 4)):
        key, label = unique("country", 3)
        world.countries.append(key)
        world.labels[key] = "Republic of " + label
        world.entities[key] = {"type": "Country", "label": "Republic of " + label}
        city, city_label = unique("city", 3)
        world.cities.append(city)
        world.labels[city] = city_label + " City"
        world.entities[city] = {"type": "City", "label": city_label + " City", "located_in": key}
    for index in range(sized(2500, 12)):
        key, label = unique("person", 4)
        full = f"{label} {name(rng, 3)}"
        world.people.append(key)
        world.labels[key] = full
        world.entities[key] = {"type": "Person", "label": full}
        if index % 3 == 0:
            home, host = rng.sample(world.countries, 2)
            post = f"ambassador-{key}"
            world.posts[post] = {
                "type": "AmbassadorPost",
                "label": f"Ambassador of {world.labels[home]} to {world.labels[host]} ({full})",
                "represents": home,
                "accredited_to": host,
            }
            world.ambassadors.append((key, post, home, host))
        elif index % 3 == 1:
            home = rng.choice(world.countries)
            post = f"minister-{key}"
            world.posts[post] = {
                "type": "ForeignMinisterPost",
                "label": f"Foreign Minister of {world.labels[home]} ({full})",
                "represents": home,
            }
            world.ministers.append((key, post, home))
    world.non_ambassadors = [p for p in world.people if p not in {x[0] for x in world.ambassadors}]
    for _ in range(sized(300, 2)):
        key, label = unique("org", 3)
        world.organizations.append(key)
        world.labels[key] = label + " Council"
        world.entities[key] = {"type": "InternationalOrganization", "label": label + " Council"}
    for _ in range(sized(50, 2)):
        key, label = unique("outlet", 2)
        world.outlets.append(key)
        world.labels[key] = label + " News"
        world.entities[key] = {"type": "MediaOutlet", "label": label + " News"}
    return world


def zipf_pick(rng: random.Random, items: list[str]) -> str:
    """Long-tailed choice: the item at rank r is picked about 1/(r+1) as often as the first."""
    return items[min(int(rng.paretovariate(1.0)) - 1, len(items) - 1)]


class ArticleWriter:
    """Writes the sentences of one article and its annotation side by side."""

    def __init__(self, rng: random.Random, world: World, published: date) -> None:
        self.rng = rng
        self.world = world
        self.published = published
        self.sentences: list[str] = []
        self.events: dict[str, dict[str, object]] = {}
        self.quotes: dict[str, dict[str, object]] = {}
        self.claims: dict[str, dict[str, object]] = {}
        self.holdings: list[dict[str, object]] = []
        self.held: set[tuple[str, str]] = set()

    def say(self, sentence: str) -> Cite:
        """Add a sentence; returns a citation of it without its final full stop."""
        self.sentences.append(sentence)
        return Cite(sentence[:-1], len(self.sentences) - 1)

    def resolve(self, text: str, offset: int) -> None:
        """Turn citations into evidence items, with `occurrence` where the words occur more than once."""
        starts = []
        for sentence in self.sentences:
            starts.append(offset)
            offset += len(sentence) + 1

        def item(cite: Cite) -> str | dict[str, object]:
            position = text.index(cite.words, starts[cite.sentence])
            occurrences = []
            found = text.find(cite.words)
            while found != -1:
                occurrences.append(found)
                found = text.find(cite.words, found + 1)
            if len(occurrences) == 1:
                return cite.words
            return {"quote": cite.words, "occurrence": occurrences.index(position) + 1}

        records = [*self.events.values(), *self.quotes.values(), *self.claims.values(), *self.holdings]
        for record in records:
            record["evidence"] = [item(c) for c in record["evidence"]]  # type: ignore[attr-defined]
            if "asks" in record and isinstance(record["asks"], Cite):
                record["asks"] = item(record["asks"])
            if isinstance(record.get("text"), Cite):
                resolved = item(record["text"])  # type: ignore[arg-type]
                record["text"] = record["text"].words  # type: ignore[union-attr]
                if isinstance(resolved, dict):
                    record["occurrence"] = resolved["occurrence"]

    def label(self, key: str) -> str:
        return self.world.labels[key]

    def when(self) -> tuple[str, dict[str, object]]:
        days_back = self.rng.randint(1, 6)
        weekday = WEEKDAYS[(self.published - timedelta(days=days_back)).weekday()]
        return f"on {weekday}", {"text": f"on {weekday}"}

    def event(self, kind: str, label: str, evidence: Cite, **fields: object) -> str:
        key = f"e{len(self.events) + 1}"
        self.events[key] = {"type": kind, "label": label, **fields, "evidence": [evidence]}
        return key

    def hold(self, person: str, post: str, evidence: Cite) -> None:
        if (person, post) not in self.held:
            self.held.add((person, post))
            self.holdings.append({"post": post, "holder": person, "evidence": [evidence]})

    def add(self, kind: str, violation: str | None = None) -> None:
        rng, w, label = self.rng, self.world, self.label
        a, b = rng.sample(w.countries, 2)
        when_text, when = self.when()
        if kind == "Summons":
            minister, minister_post, home = rng.choice(w.ministers)
            person, post, sender, _host = w.ambassadors[
                min(int(rng.paretovariate(1.0)) - 1, len(w.ambassadors) - 1)
            ]
            target = person
            if violation == "summons":
                target = rng.choice(w.non_ambassadors)
            s = self.say(
                f"{label(minister)}, foreign minister of {label(home)}, summoned {label(target)} {when_text}."
            )
            self.hold(
                minister,
                minister_post,
                Cite(f"{label(minister)}, foreign minister of {label(home)}", s.sentence),
            )
            if violation != "summons":
                m = self.say(f"{label(person)} is the ambassador of {label(sender)}.")
                self.hold(person, post, m)
            self.event(
                "Summons",
                f"{label(minister)} summons {label(target)}",
                s,
                actors=[minister],
                targets=[target],
                date=when,
            )
        elif kind in ("Sanction", "ArmsEmbargo"):
            word = "an arms embargo" if kind == "ArmsEmbargo" else "sanctions"
            topic = rng.choice(TOPICS).replace("-", " ")
            s = self.say(f"{label(a)} imposed {word} on {label(b)} {when_text} over {topic}.")
            key = self.event(kind, f"{label(a)} sanctions {label(b)}", s, actors=[a], targets=[b], date=when)
            if violation == "own-target":
                self.events[key]["listed_targets"] = [a]
            if kind == "Sanction" and rng.random() < 0.5:
                r = self.say(f"In response, {label(b)} announced counter-sanctions against {label(a)}.")
                self.event(
                    "CounterSanction",
                    f"{label(b)} retaliates against {label(a)}",
                    r,
                    actors=[b],
                    targets=[a],
                    responds_to=[key],
                )
        elif kind == "SanctionPackage":
            c = rng.choice([x for x in w.countries if x not in (a, b)])
            s = self.say(f"{label(a)} and {label(c)} took coordinated action against {label(b)} {when_text}.")
            subs = [
                self.event(
                    "Sanction", f"{label(x)} sanctions {label(b)}", s, actors=[x], targets=[b], date=when
                )
                for x in (a, c)
            ]
            self.event(
                "SanctionPackage",
                f"Coordinated action against {label(b)}",
                s,
                actors=[a, c],
                targets=[b],
                sub_events=subs,
                date=when,
            )
        elif kind in ("Statement", "Speech", "Criticism", "Accusation"):
            speaker, _, _home = rng.choice(w.ministers)
            outlet = zipf_pick(rng, w.outlets)
            allegation = rng.choice(ALLEGATIONS)
            words = f"{label(b)} must answer for its {allegation.replace('-', ' ')}"
            verb = {
                "Statement": "said",
                "Speech": "said in a speech",
                "Criticism": "criticised",
                "Accusation": "accused",
            }[kind]
            attribution = f"{label(speaker)} {verb} {when_text}, as quoted by {label(outlet)}"
            s = self.say(f'"{words}," {attribution}.')
            key = self.event(
                kind,
                f"{label(speaker)} on {label(b)}",
                s,
                actors=[speaker],
                date=when,
                **({"targets": [b]} if kind in ("Criticism", "Accusation") else {}),
            )
            q = f"q{len(self.quotes) + 1}"
            self.quotes[q] = {
                "speaker": speaker,
                "relayed_by": outlet,
                "during": key,
                "text": Cite(words + ",", s.sentence),
                "evidence": [Cite(attribution, s.sentence)],
            }
            if kind in ("Criticism", "Accusation"):
                self.claims[f"c{len(self.claims) + 1}"] = {
                    "label": f"{label(b)} commits {allegation} ({label(speaker)})",
                    "claimants": [speaker],
                    "alleges": allegation,
                    "alleged_agents": [b],
                    "made_in": key,
                    "stated_in": q,
                    "evidence": [Cite(words, s.sentence)],
                }
        elif kind in ("Appeal", "Demand", "Consultation"):
            org = zipf_pick(rng, w.organizations)
            city = rng.choice(w.cities)
            if kind == "Consultation":
                s = self.say(f"{label(a)} held consultations with {label(org)} in {label(city)} {when_text}.")
                self.event(
                    kind,
                    f"{label(a)} consults {label(org)}",
                    s,
                    actors=[a],
                    participants=[org],
                    places=[city],
                    date=when,
                )
            else:
                ask = f"halt its {rng.choice(ALLEGATIONS).replace('-', ' ')}"
                s = self.say(f"{label(org)} called on {label(b)} to {ask} {when_text}.")
                self.event(
                    kind,
                    f"{label(org)} calls on {label(b)}",
                    s,
                    actors=[org],
                    targets=[b],
                    asks=Cite(ask, s.sentence),
                    date=when,
                )
        elif kind == "Dispute":
            s = self.say(f"Tensions rose between {label(a)} and {label(b)} in recent weeks.")
            self.event(
                kind,
                f"Tensions between {label(a)} and {label(b)}",
                s,
                participants=[a, b],
                date={"text": "in recent weeks"},
            )
        elif kind == "MassKilling":
            year = rng.randint(1950, 2000)
            city = rng.choice(w.cities)
            s = self.say(f"Many civilians were killed in {label(city)} in {year}.")
            self.event(
                kind,
                f"Killings in {label(city)} in {year}",
                s,
                places=[city],
                date={"text": str(year), "year": year},
            )


KINDS = (
    "Statement",
    "Speech",
    "Consultation",
    "Criticism",
    "Accusation",
    "Appeal",
    "Demand",
    "Summons",
    "Sanction",
    "ArmsEmbargo",
    "SanctionPackage",
    "Dispute",
    "MassKilling",
)


def write_article(out: Path, index: int, rng: random.Random, world: World, violation: str | None) -> None:
    article_id = f"gen_{index:06d}"
    published = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1000))
    writer = ArticleWriter(rng, world, published)
    count = rng.randint(5, 20)
    kinds = [KINDS[(index + i) % len(KINDS)] for i in range(count)]
    special = {"own-target": "Sanction", "summons": "Summons"}.get(violation or "")
    for position, kind in enumerate(kinds):
        chosen = special if (special and position == 0) else kind
        writer.add(chosen, violation if position == 0 else None)
    headline = f"Diplomatic round-up {index}"
    text = headline + "\n" + "\n".join(writer.sentences) + "\n"
    writer.resolve(text, len(headline) + 1)
    folder = out / "articles" / article_id
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    (folder / "article.txt").write_bytes(data)
    meta = {
        "id": article_id,
        "headline": headline,
        "publisher": zipf_pick(rng, world.outlets),
        "date_published": published.isoformat(),
        "language": "en",
        "text_sha256": hashlib.sha256(data).hexdigest(),
    }
    (folder / "meta.yaml").write_text(yaml.dump(meta, Dumper=SeedDumper, sort_keys=False), encoding="utf-8")
    annotation: dict[str, object] = {"article": article_id, "events": writer.events}
    if writer.holdings:
        annotation["holdings"] = writer.holdings
    if writer.quotes:
        annotation["quotes"] = writer.quotes
    if writer.claims:
        annotation["claims"] = writer.claims
    (folder / "annotation.yaml").write_text(
        yaml.dump(annotation, Dumper=SeedDumper, sort_keys=False, width=1000), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations", type=int, default=0)
    parser.add_argument(
        "--world-scale",
        type=float,
        default=1.0,
        help="scale the number of shared actors (1.0: 200 countries, 2,500 people, 300 organisations)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    world = build_world(rng, args.world_scale)
    (args.out / "entities").mkdir(parents=True, exist_ok=True)
    concepts = {
        c: {"scheme": "allegations", "label": c.replace("-", " "), "definition": f"Alleged {c}."}
        for c in ALLEGATIONS
    }
    registry = {
        "schemes": {"allegations": {"label": "Allegations", "definition": "Kinds of alleged conduct."}},
        "concepts": concepts,
        "entities": world.entities,
        "posts": world.posts,
    }
    (args.out / "entities" / "corpus.yaml").write_text(
        yaml.dump(registry, Dumper=SeedDumper, sort_keys=False, width=1000), encoding="utf-8"
    )
    broken = set(
        random.Random(args.seed + 1).sample(range(args.articles), min(args.violations, args.articles))
    )
    for index in range(args.articles):
        violation = ("own-target" if index % 2 else "summons") if index in broken else None
        write_article(args.out, index, random.Random(f"{args.seed}-{index}"), world, violation)


if __name__ == "__main__":
    main()
