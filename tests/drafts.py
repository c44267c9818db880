"""A second article for the seed project, drafted by a program: its files, written into a seeds folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

DRAFT = "001_draft"
DRAFT_TEXT = (
    "Belgium criticises China over sanctions\n"
    "Belgian Foreign Minister Sophie Wilmes on Tuesday criticised China's sanctions on European lawmakers.\n"
    '"These sanctions are unacceptable," Wilmes said, accusing Beijing of coercion.\n'
    "Belgium threatened further steps.\n"
    "The ministry gave no further details.\n"
)
NO_EVENT = "The ministry gave no further details."
DRAFT_ANNOTATION = f"""article: {DRAFT}
status: draft
drafted:
  tool: dipkg draft
  version: "0.5.0"
  on: "2021-03-26"
entities:
  sophie-wilmes:
    type: Person
    label: Sophie Wilmes
    confidence: 0.7
    evidence: ["Sophie Wilmes"]
posts:
  belgian-foreign-minister:
    type: ForeignMinisterPost
    label: Foreign Minister of Belgium
    represents: belgium
    confidence: 0.8
    evidence: ["Belgian Foreign Minister Sophie Wilmes"]
holdings:
  - post: belgian-foreign-minister
    holder: sophie-wilmes
    confidence: 0.8
    evidence: ["Belgian Foreign Minister Sophie Wilmes"]
events:
  criticism:
    type: Criticism
    label: Sophie Wilmes criticises China's sanctions on European lawmakers
    actors: [sophie-wilmes]
    targets: [china]
    date: {{text: on Tuesday}}
    confidence: 0.9
    evidence: ["Sophie Wilmes on Tuesday criticised China's sanctions on European lawmakers"]
  threat:
    type: Threat
    label: Belgium threatens further steps
    actors: [belgium]
    confidence: 0.5
    evidence: [{{quote: "Belgium threatened further steps", start: {DRAFT_TEXT.index("Belgium threatened")}}}]
quotes:
  unacceptable:
    speaker: sophie-wilmes
    text: These sanctions are unacceptable
    confidence: 1
    evidence: ["Wilmes said"]
claims:
  coercion:
    label: Sophie Wilmes accuses China of coercion
    claimants: [sophie-wilmes]
    alleges: coercion
    alleged_agents: [china]
    confidence: 0.6
    evidence: ["accusing Beijing of coercion"]
unrealized:
  further-steps:
    modality: threatened
    label: Belgium takes further steps against China
    actors: [belgium]
    expressed_in: threat
    confidence: 0.4
    evidence: ["further steps"]
review:
  - reason: no event found in this sentence
    evidence: [{{quote: "{NO_EVENT}", start: {DRAFT_TEXT.index(NO_EVENT)}}}]
"""


# An addition to the draft: a post of its own held by a person of the registry, whom the seed
# article summons (the seed article's partition then needs that post's description).
ENVOY_TEXT = "The British envoy to China, Caroline Wilson, did not comment.\n"
ENVOY_POST = """  uk-envoy-to-china:
    type: AmbassadorPost
    label: Ambassador of the United Kingdom to China
    represents: united-kingdom
    accredited_to: china
    evidence: ["The British envoy to China"]
"""
ENVOY_HOLDING = """  - post: uk-envoy-to-china
    holder: caroline-wilson
    evidence: ["The British envoy to China, Caroline Wilson"]
"""


def with_envoy(annotation: str = DRAFT_ANNOTATION) -> str:
    """The draft's annotation with the envoy's post and holding."""
    annotation = annotation.replace("holdings:\n", f"{ENVOY_POST}holdings:\n{ENVOY_HOLDING}", 1)
    return annotation


def add_draft(seeds: Path, annotation: str = DRAFT_ANNOTATION, text: str = DRAFT_TEXT) -> Path:
    """Write the drafted article into `seeds` (a copy of the seed project's seeds); its folder."""
    folder = seeds / "articles" / DRAFT
    folder.mkdir()
    (folder / "article.txt").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (folder / "meta.yaml").write_text(
        f"id: {DRAFT}\n"
        "headline: Belgium criticises China over sanctions\n"
        "publisher: ani\n"
        'date_published: "2021-03-25"\n'
        "language: en\n"
        f"text_sha256: {digest}\n",
        encoding="utf-8",
    )
    (folder / "annotation.yaml").write_text(annotation, encoding="utf-8")
    return folder


def set_status(folder: Path, status: str) -> None:
    """Change the draft's `status:` line, the one edit that accepts it."""
    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    assert "status: draft\n" in text
    path.write_text(text.replace("status: draft\n", f"status: {status}\n", 1), encoding="utf-8")
