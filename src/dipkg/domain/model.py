"""domain.yaml as Python values: classes of entities, posts and events, code lists and roles, checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dipkg.errors import InputError

ROLE_PROPERTIES = {
    "actor": "actor",
    "target": "target",
    "listed_target": "listedTarget",
    "participant": "participant",
    "place": "place",
}
SECTIONS = ("entity_kinds", "posts", "events")


@dataclass(frozen=True)
class Role:
    """How many values of one role an event class needs, and of which class."""

    min: int = 0
    max: int | None = None
    cls: str | None = None


@dataclass(frozen=True)
class Code:
    """A concept of a code list: a PLOVER category, a CAMEO code or a modality."""

    notation: str
    label: str
    definition: str | None = None
    broader: str | None = None


@dataclass
class DomainClass:
    """One class of the ontology, with what it inherits already resolved."""

    name: str
    section: str
    label: str
    definition: str
    parent: str | None
    aligned: list[str] = field(default_factory=list)
    plover: str | None = None
    cameo: str | None = None
    own_roles: dict[str, Role] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)


@dataclass
class Domain:
    """Everything domain.yaml declares."""

    plover: dict[str, Code]
    cameo: dict[str, Code]
    modalities: dict[str, Code]
    classes: dict[str, DomainClass]

    def section(self, name: str) -> list[DomainClass]:
        """The classes of one section, in file order."""
        return [c for c in self.classes.values() if c.section == name]

    def ancestors(self, name: str) -> list[str]:
        """The class and its parents up to the root."""
        chain = []
        current: str | None = name
        while current is not None:
            chain.append(current)
            current = self.classes[current].parent
        return chain


def load_domain(path: Path) -> Domain:
    """Read and check domain.yaml: parents exist, codes are known, inherited roles only tighten."""
    try:
        return _load_domain(path)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"malformed domain: missing or ill-typed entry {exc}", path) from exc


def _load_domain(path: Path) -> Domain:
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the domain: {exc}".splitlines()[0], path) from exc
    plover = {k: Code(k, v["label"], v["definition"]) for k, v in data["plover"].items()}
    cameo = {str(k): Code(str(k), v["label"], None, v.get("broader")) for k, v in data["cameo"].items()}
    modalities = {k: Code(k, v["label"], v["definition"]) for k, v in data["modalities"].items()}
    classes: dict[str, DomainClass] = {}
    for section in SECTIONS:
        for name, spec in data[section].items():
            if name in classes:
                raise InputError(f"class {name} is declared twice", path)
            classes[name] = DomainClass(
                name,
                section,
                spec["label"],
                spec["definition"],
                spec.get("parent"),
                list(spec.get("aligned", [])),
                spec.get("plover"),
                str(spec["cameo"]) if "cameo" in spec else None,
                {role: _role(path, name, role, value) for role, value in spec.get("roles", {}).items()},
            )
    domain = Domain(plover, cameo, modalities, classes)
    for cls in classes.values():
        _check(path, domain, cls)
    for cls in classes.values():
        _inherit(path, domain, cls)
    return domain


def _role(path: Path, cls: str, role: str, value: dict[str, Any]) -> Role:
    if role not in ROLE_PROPERTIES:
        raise InputError(f"{cls}: unknown role {role!r} (one of {', '.join(ROLE_PROPERTIES)})", path)
    return Role(value.get("min", 0), value.get("max"), value.get("class"))


def _check(path: Path, domain: Domain, cls: DomainClass) -> None:
    if cls.parent is not None:
        parent = domain.classes.get(cls.parent)
        if parent is None or parent.section != cls.section:
            raise InputError(f"{cls.name}: parent {cls.parent} is not a class of {cls.section}", path)
    if cls.plover is not None and cls.plover not in domain.plover:
        raise InputError(f"{cls.name}: unknown PLOVER category {cls.plover}", path)
    if cls.cameo is not None and cls.cameo not in domain.cameo:
        raise InputError(f"{cls.name}: CAMEO code {cls.cameo} is not in the cameo list", path)
    for role in cls.own_roles.values():
        if role.cls is not None and (
            role.cls not in domain.classes or domain.classes[role.cls].section != "entity_kinds"
        ):
            raise InputError(f"{cls.name}: role class {role.cls} is not an entity kind", path)
    seen = set()
    current: str | None = cls.name
    while current is not None:
        if current in seen:
            raise InputError(f"{cls.name}: its parents form a circle", path)
        seen.add(current)
        current = domain.classes[current].parent


def _inherit(path: Path, domain: Domain, cls: DomainClass) -> None:
    """Fill in PLOVER, CAMEO and roles from the ancestors; a role may only be tightened."""
    chain = domain.ancestors(cls.name)
    cls.plover = next((domain.classes[name].plover for name in chain if domain.classes[name].plover), None)
    cls.cameo = next((domain.classes[name].cameo for name in chain if domain.classes[name].cameo), None)
    for name in reversed(chain):
        ancestor = domain.classes[name]
        for role, spec in ancestor.own_roles.items():
            inherited = cls.roles.get(role)
            if inherited is not None and (
                spec.min < inherited.min
                or (inherited.max is not None and (spec.max is None or spec.max > inherited.max))
            ):
                raise InputError(f"{name}: role {role} loosens what a parent class requires", path)
            cls.roles[role] = spec
