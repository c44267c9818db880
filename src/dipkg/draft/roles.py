"""The roles of a trigger from the parse (subject = actor, object or prepositional object =
target, the passive swapped), and the event class whose roles they satisfy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dipkg.domain.model import Role
from dipkg.draft.lexicon import EventCue
from dipkg.draft.model import unique
from dipkg.draft.stage import Stage
from dipkg.draft.syntax import clause_with_subject, subjects_of

if TYPE_CHECKING:
    from dipkg.draft.events import Trigger


class Roles(Stage):
    """Actors, targets and participants of a trigger, and the shapes of the events they make."""

    def of_trigger(self, trigger: Trigger) -> tuple[list[str], list[str], list[str]]:
        """The actors, targets and participants of a trigger."""
        verb, cue = trigger.verb, trigger.cue
        subject_verb = clause_with_subject(verb)
        passive = any(child.dep_ in {"nsubjpass", "auxpass"} for child in verb.children)
        actors: list[str] = []
        targets: list[str] = []
        sides: list[list[str]] = []
        if passive:
            actors = self.reader.prepositional(verb, frozenset({"by"})) or [
                e
                for child in verb.children
                if child.dep_ == "agent"
                for obj in child.children
                for e in self.reader.phrase(obj)
            ]
            actors = actors or self.reader.prepositional(verb, cue.agents)
            for child in verb.children:
                if child.dep_ == "nsubjpass" and child != trigger.token:
                    targets.extend(self.reader.phrase(child))
        else:
            subjects = subjects_of(subject_verb)
            if subject_verb.dep_ == "relcl" and all(c.tag_ in {"WP", "WDT"} for c in subjects):
                subjects = [subject_verb.head]
            for child in subjects:
                sides.extend(self.reader.sides(child))
            actors = [e for side in sides for e in side]
            if trigger.token.i != verb.i:
                actors.extend(
                    e
                    for child in trigger.token.children
                    if child.dep_ == "poss"
                    for e in self.reader.phrase(child)
                )
            for child in verb.children:
                if child.dep_ in {"dobj", "dative"} and child != trigger.token:
                    targets.extend(self.reader.phrase(child))
                elif child.dep_ == "prep" and trigger.words > 1 and child.lower_ == trigger.particle:
                    # "called in China's ambassador": the particle's object is the verb's
                    targets.extend(
                        e for obj in child.children if obj.dep_ == "pobj" for e in self.reader.phrase(obj)
                    )
        for node in (verb, trigger.token, *[c for c in verb.children if c.dep_ == "dobj"]):
            targets.extend(self.reader.prepositional(node, cue.targets))
        participants = []
        for node in (verb, trigger.token):
            participants.extend(self.reader.prepositional(node, cue.participants))
        if cue.dyadic and not targets:
            if participants:
                targets, participants = participants, []
            else:
                grouped = self._by_side(actors)
                if len(grouped) > 1:
                    actors, targets = grouped[0], [e for group in grouped[1:] for e in group]
        actors = unique(e for e in actors if not self.entities.is_place(e))
        targets = unique(
            e
            for e in targets
            if e not in actors and self.entities.body_of(e) not in actors and not self.entities.is_place(e)
        )
        participants = unique(e for e in participants if e not in actors and e not in targets)
        return actors, targets, participants

    def shapes(
        self, cue: EventCue, actors: list[str], targets: list[str]
    ) -> list[tuple[str, list[list[str]], list[list[str]]]]:
        """The event type whose roles the drafted roles satisfy, with actors and targets split where
        the class takes one of each. A role of the wrong kind climbs to a broader class (a summons
        of no named diplomat is a protest); a role not found codes nothing."""
        for event_type in self.domain.ancestors(cue.type)[:-1]:
            lineage = self.domain.ancestors(event_type)
            roles = self.domain.classes[event_type].roles
            actor_role, target_role = roles.get("actor"), roles.get("target")
            fitting_actors = self._of_class(actor_role, actors)
            fitting_targets = self._of_class(target_role, targets)
            for cls, post in self.lexicon.target_posts.items():
                if cls in lineage:
                    fitting_targets = [t for t in fitting_targets if self.reader.holdings.holds(t, post)]
            if any(cls in lineage for cls in self.lexicon.needs_target) and not fitting_targets:
                return []
            if len(actors) < _minimum(actor_role) or len(targets) < _minimum(target_role):
                return []
            if len(fitting_actors) < _minimum(actor_role) or len(fitting_targets) < _minimum(target_role):
                continue
            actor_sets, target_sets = [fitting_actors], [fitting_targets]
            if actor_role and actor_role.max == 1 and len(fitting_actors) > 1:
                actor_sets = [[a] for a in self.reader.states_first(fitting_actors)]
            states = [t for t in fitting_targets if not self.entities.is_person(t)]
            if cue.one_per_target and len(states) > 1:
                target_sets = [[t] for t in states]
            return [(event_type, actor_sets, target_sets)]
        return []

    def _of_class(self, role: Role | None, values: list[str]) -> list[str]:
        if role is None or role.cls is None:
            return values
        return [v for v in values if role.cls in self.domain.ancestors(self.entities.type_of(v))]

    def _by_side(self, entities: list[str]) -> list[list[str]]:
        """Entities grouped by the side they stand for, in the order named: a state with its
        bodies and the holders of its posts; a name of no known side joins the one before it."""
        groups: dict[str, list[str]] = {}
        last: str | None = None
        for entity in entities:
            side = (
                next(iter(self.reader.sides_of([entity])), None)
                or self.entities.body_of(entity)
                or last
                or entity
            )
            groups.setdefault(side, []).append(entity)
            last = side
        return list(groups.values())


def _minimum(role: Role | None) -> int:
    return role.min if role is not None else 0
