"""What a built-in household is made of: rooms, receptacles, objects, and what each can do.

Names follow ALFWorld's (one lowercase word each: `sinkbasin`, `butterknife`, `desklamp`), so that one
agent, one goal parser and one memory read both worlds alike. The appliances work as in ALFWorld:
a microwave heats, a fridge cools, a sink basin cleans; a desk lamp lights what is held next to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceptacleKind:
    """A kind of receptacle: how many a room of a kind may hold, and whether it opens."""

    name: str
    count: tuple[int, int]
    openable: bool = False


ROOMS: dict[str, tuple[ReceptacleKind, ...]] = {
    "kitchen": (
        ReceptacleKind("cabinet", (3, 8), openable=True),
        ReceptacleKind("drawer", (2, 5), openable=True),
        ReceptacleKind("countertop", (1, 3)),
        ReceptacleKind("fridge", (1, 1), openable=True),
        ReceptacleKind("microwave", (1, 1), openable=True),
        ReceptacleKind("sinkbasin", (1, 2)),
        ReceptacleKind("stoveburner", (2, 4)),
        ReceptacleKind("diningtable", (0, 1)),
        ReceptacleKind("shelf", (0, 2)),
        ReceptacleKind("garbagecan", (1, 1)),
        ReceptacleKind("coffeemachine", (0, 1)),
        ReceptacleKind("toaster", (0, 1)),
    ),
    "living room": (
        ReceptacleKind("sofa", (1, 1)),
        ReceptacleKind("armchair", (0, 1)),
        ReceptacleKind("coffeetable", (1, 1)),
        ReceptacleKind("sidetable", (1, 2)),
        ReceptacleKind("shelf", (0, 3)),
        ReceptacleKind("tvstand", (0, 1)),
        ReceptacleKind("drawer", (0, 2), openable=True),
    ),
    "bedroom": (
        ReceptacleKind("bed", (1, 1)),
        ReceptacleKind("desk", (0, 1)),
        ReceptacleKind("dresser", (1, 1)),
        ReceptacleKind("sidetable", (1, 2)),
        ReceptacleKind("drawer", (1, 4), openable=True),
        ReceptacleKind("shelf", (0, 2)),
        ReceptacleKind("safe", (0, 1), openable=True),
    ),
    "bathroom": (
        ReceptacleKind("sinkbasin", (1, 1)),
        ReceptacleKind("cabinet", (1, 3), openable=True),
        ReceptacleKind("countertop", (0, 1)),
        ReceptacleKind("towelholder", (0, 1)),
        ReceptacleKind("toilet", (1, 1)),
        ReceptacleKind("garbagecan", (0, 1)),
    ),
}
"""Every household has a kitchen; the other rooms come and go (see `generator`)."""

APPLIANCE_VERB = {"microwave": "heat", "fridge": "cool", "sinkbasin": "clean"}
"""Receptacle kinds where `<verb> X with <receptacle>` works while holding X."""

VERB_STATE = {"heat": "hot", "cool": "cold", "clean": "clean"}
"""The state a treatment gives; heating and cooling undo each other."""

LAMPS = frozenset({"desklamp"})
"""Objects that stay where they are and light what is held next to them (`use desklamp 1`)."""
LAMP_PLACES = ("desk", "sidetable", "dresser")


@dataclass(frozen=True)
class ObjectKind:
    """A kind of object: where it may lie, and which treatments it takes."""

    name: str
    places: tuple[str, ...]
    treatments: frozenset[str] = frozenset()


def _kinds(places: str, treatments: str, *names: str) -> tuple[ObjectKind, ...]:
    return tuple(ObjectKind(n, tuple(places.split()), frozenset(treatments.split())) for n in names)


OBJECTS: tuple[ObjectKind, ...] = (
    *_kinds(
        "countertop fridge diningtable garbagecan sinkbasin", "heat cool clean", "apple", "tomato", "potato"
    ),
    *_kinds("countertop fridge diningtable", "heat cool clean", "egg"),
    *_kinds("countertop diningtable cabinet fridge", "heat cool", "bread"),
    *_kinds("countertop fridge diningtable sinkbasin", "cool clean", "lettuce"),
    *_kinds("cabinet countertop shelf diningtable sinkbasin coffeemachine", "heat cool clean", "mug", "cup"),
    *_kinds("cabinet countertop shelf diningtable sinkbasin fridge", "cool clean", "bowl", "plate"),
    *_kinds("cabinet countertop stoveburner", "cool clean", "pan", "pot"),
    *_kinds("drawer countertop diningtable sinkbasin", "clean", "fork", "spoon", "knife", "butterknife"),
    *_kinds("drawer countertop cabinet", "clean", "spatula", "ladle"),
    *_kinds("countertop sinkbasin cabinet", "clean", "dishsponge", "cloth"),
    *_kinds("desk sidetable dresser shelf coffeetable bed drawer", "", "book", "cellphone", "keychain"),
    *_kinds("desk sidetable dresser shelf", "", "alarmclock", "pen", "pencil", "cd"),
    *_kinds("coffeetable sofa armchair sidetable tvstand", "", "remotecontrol", "box"),
    *_kinds("shelf coffeetable sidetable dresser diningtable", "", "vase", "statue", "watch"),
    *_kinds("sofa bed armchair", "", "pillow"),
    *_kinds("drawer safe dresser desk sidetable", "", "creditcard"),
    *_kinds("towelholder countertop cabinet", "", "towel"),
    *_kinds("cabinet countertop toilet", "", "soapbar", "spraybottle", "toiletpaper"),
)
OBJECT_KINDS = {kind.name: kind for kind in OBJECTS}
