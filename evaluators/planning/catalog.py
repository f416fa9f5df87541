"""What a built-in room is made of, as modelled priors of ALFWorld's rooms: receptacles, objects, appliances.

An ALFWorld game is one room of one of four types (kitchen, living room, bedroom, bathroom), and what an
agent can carry from one game to the next is not where things are in *this* room but how rooms of a
type are made: which receptacle kinds they have and how many, which of them are closed, where each
kind of object tends to lie, and which appliance heats, cools or cleans. The numbers below are
priors written for this generator. They were derived by reading the 24 ALFWorld `valid_seen` dev
games (kitchens, living rooms and bedrooms; `benchmarks/planning_transfer.py` prints the measured
statistics next to the generated ones) and rounded and widened so that a handful of games is not
copied: counts become ranges, frequencies become weights, and places seen rarely keep a small weight.
Bathrooms do not occur in that slice; their priors follow ALFWorld's bathroom scenes (a toilet, a
sink basin, cabinets, holders for towels and paper) and are marked as such in the docs.

Names follow ALFWorld's (one lowercase word each: `sinkbasin`, `butterknife`, `desklamp`). The
appliances work as in ALFWorld: a microwave heats, a fridge cools, a sink basin cleans; a desk lamp
lights what is held next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

KITCHEN, LIVING_ROOM, BEDROOM, BATHROOM = "kitchen", "living room", "bedroom", "bathroom"
ROOM_TYPES = (KITCHEN, LIVING_ROOM, BEDROOM, BATHROOM)


@dataclass(frozen=True)
class ReceptacleKind:
    """A kind of receptacle in a room type: how often the room has it, how many, and how many open.

    `openable` is the share of its instances that open and close (ALFWorld has open shelves among its
    drawers and cabinets); closed, they hide what they hold.
    """

    name: str
    presence: float
    count: tuple[int, int]
    openable: float = 0.0


def _room(spec: str) -> tuple[ReceptacleKind, ...]:
    """`kind presence lo-hi [openable]`, one per line."""
    kinds = []
    for line in filter(None, (line.split() for line in spec.strip().splitlines())):
        low, high = line[2].split("-")
        opens = float(line[3]) if len(line) > 3 else 0.0
        kinds.append(ReceptacleKind(line[0], float(line[1]), (int(low), int(high)), opens))
    return tuple(kinds)


ROOMS: dict[str, tuple[ReceptacleKind, ...]] = {
    KITCHEN: _room(
        """
        cabinet 1.0 6-20 0.85
        coffeemachine 1.0 1-1
        countertop 1.0 1-4
        diningtable 0.3 1-2
        drawer 0.85 2-14 0.8
        fridge 1.0 1-1 1.0
        garbagecan 1.0 1-1
        microwave 1.0 1-1 1.0
        shelf 0.15 1-3
        sinkbasin 1.0 1-1
        stoveburner 1.0 4-6
        toaster 1.0 1-1
        """
    ),
    LIVING_ROOM: _room(
        """
        armchair 1.0 1-2
        cabinet 0.25 1-4 0.85
        coffeetable 0.6 1-2
        diningtable 0.6 1-2
        drawer 1.0 2-14 0.8
        dresser 0.75 1-1
        garbagecan 1.0 1-1
        ottoman 0.2 1-1
        shelf 0.3 1-4
        sidetable 1.0 1-4
        sofa 1.0 1-1
        tvstand 0.3 1-1
        """
    ),
    BEDROOM: _room(
        """
        bed 1.0 1-1
        desk 0.85 1-2
        diningtable 0.15 1-1
        drawer 1.0 2-12 0.8
        dresser 0.45 1-1
        garbagecan 1.0 1-1
        laundryhamper 0.15 1-1
        safe 0.3 1-1 1.0
        shelf 0.7 1-6
        sidetable 0.75 1-3
        """
    ),
    BATHROOM: _room(
        """
        bathtubbasin 0.5 1-1
        cabinet 1.0 1-4 0.9
        countertop 1.0 1-1
        drawer 0.5 1-4 0.8
        garbagecan 1.0 1-1
        handtowelholder 0.6 1-2
        shelf 0.3 1-3
        sinkbasin 1.0 1-2
        toilet 1.0 1-1
        toiletpaperhanger 1.0 1-1
        towelholder 0.7 1-1
        """
    ),
}
"""Receptacle kinds per room type; every room lists its receptacles as ALFWorld does (see `household`)."""

APPLIANCE_VERB = {"microwave": "heat", "fridge": "cool", "sinkbasin": "clean"}
"""Receptacle kinds where `<verb> X with <receptacle>` works while holding X."""

VERB_STATE = {"heat": "hot", "cool": "cold", "clean": "clean"}
"""The state a treatment gives; heating and cooling undo each other."""

LAMPS = frozenset({"desklamp"})
"""Objects that stay where they are and light what is held next to them (`use desklamp 1`)."""
LAMP_PRESENCE = {LIVING_ROOM: 0.45, BEDROOM: 0.8}
LAMP_PLACES = {"sidetable": 4.0, "desk": 2.0, "dresser": 2.0}


@dataclass(frozen=True)
class ObjectKind:
    """A kind of object: the rooms it turns up in (share of rooms of the type), where it lies in one
    (weights over receptacle kinds; only kinds the room has count), and the treatments it takes."""

    name: str
    rooms: dict[str, float]
    places: dict[str, float]
    treatments: frozenset[str] = frozenset()


def _kind(name: str, rooms: str, treatments: str, places: str) -> ObjectKind:
    """`rooms` as `kitchen=0.95 bedroom=0.7` (`living`: the living room), `places` as `countertop=5 ...`."""
    room_shares = {}
    for part in rooms.split():
        room, share = part.split("=")
        room_shares[LIVING_ROOM if room == "living" else room] = float(share)
    weights = {place: float(weight) for place, weight in (p.split("=") for p in places.split())}
    return ObjectKind(name, room_shares, weights, frozenset(treatments.split()))


OBJECTS: tuple[ObjectKind, ...] = (
    # Kitchen food: on the counters, in the fridge, now and then in the microwave or the sink.
    _kind("apple", "kitchen=0.95", "heat cool clean",
          "countertop=5 diningtable=3 fridge=3 microwave=2 sinkbasin=2 garbagecan=2"),
    _kind("bread", "kitchen=0.95", "heat cool", "countertop=6 diningtable=2 fridge=1 cabinet=0.5"),
    _kind("egg", "kitchen=0.95", "heat cool clean",
          "countertop=4 fridge=4 microwave=1.5 diningtable=1 garbagecan=1 sinkbasin=0.5"),
    _kind("lettuce", "kitchen=0.95", "cool clean",
          "countertop=5 fridge=3 sinkbasin=1.5 diningtable=1 garbagecan=0.5"),
    _kind("potato", "kitchen=0.95", "heat cool clean",
          "countertop=4 fridge=3 microwave=1 diningtable=1 sinkbasin=1 garbagecan=0.5"),
    _kind("tomato", "kitchen=0.95", "heat cool clean",
          "countertop=6 fridge=2 diningtable=1 sinkbasin=1 garbagecan=1"),
    # Dishes: cabinets, counters, the fridge, the sink; mugs by the coffee machine.
    _kind("bowl", "kitchen=0.9 bedroom=0.4 living=0.2", "cool clean",
          "cabinet=3 fridge=3 countertop=2 diningtable=2 shelf=1.5 desk=2 sinkbasin=1 coffeetable=1"),
    _kind("cup", "kitchen=0.95", "heat cool clean",
          "cabinet=3 countertop=3 sinkbasin=2.5 fridge=2 diningtable=1.5 microwave=0.5"),
    _kind("mug", "kitchen=0.95 bedroom=0.4", "heat cool clean",
          "countertop=3 diningtable=2 cabinet=2 coffeemachine=2 desk=2 microwave=1 fridge=1 sinkbasin=1"
          " sidetable=1 shelf=0.5"),
    _kind("plate", "kitchen=0.9 living=0.2", "heat cool clean",
          "cabinet=4 fridge=2 countertop=2 diningtable=1 sinkbasin=1 sidetable=0.5 tvstand=0.5"),
    _kind("pan", "kitchen=0.95", "cool clean", "stoveburner=5 countertop=4 cabinet=1 fridge=0.5"),
    _kind("pot", "kitchen=0.95", "cool clean", "stoveburner=6 countertop=3 cabinet=1 fridge=0.5"),
    _kind("kettle", "kitchen=0.55", "clean", "stoveburner=2 countertop=2 cabinet=1.5"),
    _kind("winebottle", "kitchen=0.2", "cool", "countertop=2 diningtable=2 cabinet=1 fridge=1"),
    _kind("glassbottle", "kitchen=0.25", "", "cabinet=2 countertop=2 diningtable=1 garbagecan=1 fridge=0.5"),
    # Cutlery and utensils: counters and drawers, sometimes the sink.
    _kind("butterknife", "kitchen=0.95", "clean", "countertop=6 drawer=2.5 diningtable=1.5 sinkbasin=0.5"),
    _kind("fork", "kitchen=0.95", "clean", "countertop=6 drawer=3 diningtable=1 sinkbasin=0.5"),
    _kind("knife", "kitchen=0.95", "clean", "countertop=6 drawer=1.5 sinkbasin=1 diningtable=0.5"),
    _kind("spoon", "kitchen=0.95", "clean", "countertop=5 sinkbasin=2 drawer=1.5 diningtable=1"),
    _kind("spatula", "kitchen=0.95", "clean",
          "countertop=4 drawer=2 sinkbasin=2 diningtable=1 stoveburner=1"),
    _kind("ladle", "kitchen=0.75", "clean", "countertop=4 cabinet=2 drawer=1 diningtable=0.5"),
    _kind("dishsponge", "kitchen=0.9 bathroom=0.5", "clean",
          "countertop=3 drawer=2.5 cabinet=1 diningtable=1 garbagecan=1 sinkbasin=1 toilet=0.5"),
    _kind("peppershaker", "kitchen=0.95", "", "countertop=4 cabinet=2 drawer=2 diningtable=1 shelf=0.5"),
    _kind("saltshaker", "kitchen=0.95", "", "countertop=3 cabinet=3 drawer=3 diningtable=1"),
    _kind("soapbottle", "kitchen=0.9 bathroom=0.9", "",
          "countertop=4 cabinet=3 garbagecan=1 diningtable=1 toilet=1 sinkbasin=0.5 shelf=0.5"),
    # Small things of living rooms and bedrooms.
    _kind("alarmclock", "bedroom=0.95", "", "desk=4 sidetable=2 dresser=2 shelf=1.5 diningtable=0.5"),
    _kind("book", "bedroom=0.95 living=0.75", "",
          "bed=4 desk=3 sidetable=2 coffeetable=2 dresser=1 sofa=1 armchair=1 drawer=0.5 shelf=0.5"),
    _kind("box", "bedroom=0.6 living=0.9", "",
          "coffeetable=2 sofa=2 dresser=2 sidetable=1 shelf=1 diningtable=1"),
    _kind("cd", "bedroom=0.9", "", "desk=3 drawer=2 sidetable=2 dresser=1 shelf=1 diningtable=0.5"),
    _kind("cellphone", "bedroom=0.95 living=0.4 kitchen=0.3", "",
          "drawer=3 sidetable=2 dresser=2 bed=2 desk=1 countertop=1.5 safe=0.5 sofa=0.5"),
    _kind("creditcard", "bedroom=0.95 living=0.95", "",
          "drawer=3 dresser=2 shelf=1 diningtable=1 armchair=1 sofa=1 sidetable=1 desk=1 safe=0.5"),
    _kind("keychain", "bedroom=0.95 living=0.95", "",
          "desk=2 diningtable=1.5 shelf=1.5 drawer=1.5 dresser=1 safe=1 sofa=1 sidetable=1 coffeetable=1"
          " armchair=0.5"),
    _kind("laptop", "bedroom=0.95 living=0.95", "",
          "bed=4 sofa=2 diningtable=1.5 armchair=1 desk=1 sidetable=1 coffeetable=1 tvstand=0.5"),
    _kind("pen", "bedroom=0.95 living=0.4", "",
          "sidetable=3 desk=3 shelf=2 drawer=1 diningtable=0.5 dresser=0.5"),
    _kind("pencil", "bedroom=0.95 living=0.4", "",
          "sidetable=3 drawer=2 shelf=2 dresser=1 desk=1 diningtable=0.5 coffeetable=0.5"),
    _kind("pillow", "bedroom=0.95 living=0.95", "", "bed=5 sofa=4 armchair=1"),
    _kind("remotecontrol", "living=0.95", "",
          "sofa=2 dresser=2 armchair=1.5 coffeetable=1.5 sidetable=1 tvstand=1"),
    _kind("statue", "living=0.9 bedroom=0.2", "",
          "sidetable=3 diningtable=2 shelf=1.5 dresser=1.5 coffeetable=1.5"),
    _kind("tissuebox", "bedroom=0.3 living=0.4 bathroom=0.4", "",
          "desk=2 sidetable=2 coffeetable=1 diningtable=1 drawer=0.5 toilet=1 countertop=1"),
    _kind("vase", "living=0.4 kitchen=0.1", "", "cabinet=2 diningtable=2 shelf=2 sidetable=1 coffeetable=1"),
    _kind("watch", "living=0.6 bedroom=0.2", "", "drawer=2 sidetable=2 coffeetable=1.5 dresser=1 desk=0.5"),
    # Bathrooms (not in the dev slice: modelled on ALFWorld's bathroom scenes).
    _kind("soapbar", "bathroom=0.95", "clean",
          "countertop=3 toilet=2 bathtubbasin=2 sinkbasin=1.5 cabinet=1"),
    _kind("cloth", "bathroom=0.8", "clean", "countertop=2 cabinet=2 bathtubbasin=1.5 sinkbasin=1 toilet=1"),
    _kind("candle", "bathroom=0.7", "", "countertop=3 toilet=2 cabinet=1.5 shelf=1 bathtubbasin=0.5"),
    _kind("toiletpaper", "bathroom=0.9", "", "toiletpaperhanger=3 toilet=2 cabinet=2 countertop=1"),
    _kind("spraybottle", "bathroom=0.8 kitchen=0.1", "", "toilet=2 cabinet=2 countertop=2 garbagecan=1"),
    _kind("towel", "bathroom=0.7", "", "towelholder=5 countertop=0.5"),
    _kind("handtowel", "bathroom=0.6", "", "handtowelholder=5 countertop=0.5"),
)  # fmt: skip
OBJECT_KINDS = {kind.name: kind for kind in OBJECTS}

INSTANCES = {1: 0.43, 2: 0.28, 3: 0.26, 4: 0.03}
"""How many of a present object kind a room holds, as weights. In the dev games' 420 (room, object kind)
pairs a kind comes once in 43%, twice in 28%, three times in 26% and four or five times in 3% (1.9 on
average); the mean alone (an earlier uniform draw over 1, 1, 2, 2, 2, 3) made twice as common as there
and a single instance, the hardest to find, rarer."""
