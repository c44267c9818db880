"""What the parse says of a clause: its subjects, or those of the clause it shares them with."""

from __future__ import annotations

from spacy.tokens import Token


def subjects_of(verb: Token) -> list[Token]:
    """The active subjects of a verb."""
    return [child for child in verb.children if child.dep_ in {"nsubj", "csubj"}]


def clause_with_subject(verb: Token) -> Token:
    """The verb, or the verb whose subject it shares ("summoned X ... and called the plan ...")."""
    while not subjects_of(verb) and verb.head != verb:
        if verb.dep_ in {"conj", "xcomp", "advcl"}:
            verb = verb.head
        elif verb.dep_ == "pcomp" and verb.head.head != verb.head:
            verb = verb.head.head  # "responded by suspending imports"
        else:
            break
    return verb
