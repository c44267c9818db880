"""A draft as annotation.yaml text: the seeds format, status draft, same draft same bytes."""

from __future__ import annotations

from typing import Any

import yaml

from dipkg.draft.model import Draft, Quote

HEADER = (
    "# Draft annotation of article {id}, written by dipkg draft {version}. Every item quotes the\n"
    "# article (start: its character offset) and says how sure the drafter is (confidence, 0-1).\n"
    "# Read `review` first, correct what is wrong, then change `status: draft` to `status: reviewed`.\n"
)


def annotation_text(draft: Draft, article_id: str, version: str, drafted_on: str, text: str) -> str:
    """The annotation.yaml of a draft."""
    document: dict[str, Any] = {
        "article": article_id,
        "status": "draft",
        "drafted": {"tool": "dipkg draft", "version": version, "on": drafted_on},
    }
    entities = {
        key: _clean(
            {
                "type": proposed.type,
                "label": proposed.label,
                "body_of": proposed.body_of,
                "confidence": proposed.confidence,
                "evidence": [_evidence(Quote(proposed.evidence, proposed.start))],
            }
        )
        for key, proposed in sorted(draft.entities.proposed.items())
    }
    if entities:
        document["entities"] = entities
    if draft.posts:
        document["posts"] = {
            key: _clean(
                {
                    "type": post.type,
                    "label": post.label,
                    "represents": post.represents,
                    "accredited_to": post.accredited_to,
                    "confidence": post.confidence,
                    "evidence": [_evidence(post.evidence)],
                }
            )
            for key, post in sorted(draft.posts.items())
        }
    if draft.holdings:
        document["holdings"] = [
            _clean(
                {
                    "post": holding.post,
                    "holder": holding.holder,
                    "former": holding.former or None,
                    "confidence": holding.confidence,
                    "evidence": [_evidence(holding.evidence)],
                }
            )
            for holding in draft.holdings
        ]
    document["events"] = {
        key: _clean(
            {
                "type": event.type,
                "label": event.label.text,
                "actors": event.actors,
                "targets": event.targets,
                "participants": event.participants,
                "date": event.date,
                "responds_to": event.responds_to,
                "confidence": event.confidence,
                "evidence": [_evidence(q) for q in event.evidence],
            }
        )
        for key, event in draft.events.items()
    }
    if draft.acts:
        document["unrealized"] = {
            key: _clean(
                {
                    "modality": act.modality,
                    "type": act.type,
                    "label": act.label.text,
                    "actors": act.actors,
                    "targets": act.targets,
                    "expressed_in": act.expressed_in,
                    "confidence": act.confidence,
                    "evidence": [_evidence(act.evidence)],
                }
            )
            for key, act in draft.acts.items()
        }
    if draft.quotes:
        document["quotes"] = {
            key: _clean(
                {
                    "speaker": quote.speaker,
                    "relayed_by": quote.relayed_by,
                    "text": quote.text.text,
                    "occurrence": _occurrence(text, quote.text),
                    "confidence": quote.confidence,
                    "evidence": [_evidence(quote.evidence)],
                }
            )
            for key, quote in draft.quotes.items()
        }
    if draft.claims:
        document["claims"] = {
            key: _clean(
                {
                    "label": claim.label.text,
                    "claimants": claim.claimants,
                    "alleges": claim.alleges,
                    "alleged_agents": claim.alleged_agents,
                    "made_in": claim.made_in,
                    "confidence": claim.confidence,
                    "evidence": [_evidence(claim.evidence)],
                }
            )
            for key, claim in draft.claims.items()
        }
    if draft.review:
        document["review"] = [
            {"reason": item.reason, "evidence": [_evidence(item.sentence)]} for item in draft.review
        ]
    body = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return HEADER.format(id=article_id, version=version) + body


class _Dumper(yaml.SafeDumper):
    """Safe YAML without anchors: a list shared by two items is written out twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _evidence(quote: Quote) -> dict[str, Any]:
    return {"quote": quote.text, "start": quote.start}


def _occurrence(text: str, quote: Quote) -> int | None:
    """Which occurrence of the words the quotation is, when they occur more than once."""
    count = text.count(quote.text, 0, quote.start + 1)
    return count if text.count(quote.text) > 1 else None


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """The item without empty fields."""
    return {key: value for key, value in item.items() if value not in (None, [], {})}
