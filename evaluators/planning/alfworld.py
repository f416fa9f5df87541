"""ALFWorld games as planning tasks: the same episodes, agents and metrics as the built-in world.

Loading needs nothing but the files: every `game.tw-pddl` under a folder is a task, its kind and object
read from the folder name ALFWorld gives it (`pick_heat_then_place_in_recep-Egg-None-Fridge-14`), its
sentence from the game's grammar and its expert length from the walkthrough. Games of one floor plan
(the name's last number) form one episode, played in order with one memory, and are the unit of
splitting. Playing needs the `alfworld` extra (PyPI `textworld[pddl]` and `alfworld`), imported only
when a game starts; nothing is ever downloaded.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.planning.data import (
    DEFAULT_STEP_LIMIT,
    DataError,
    Observation,
    PlanningEpisode,
    PlanningTask,
)
from evaluators.planning.goals import ALFWORLD_TASK_KINDS, Goal, parse_goal

GAME_FILE = "game.tw-pddl"
EXTRA_MISSING = (
    "playing ALFWorld games needs the alfworld extra: pip install 'mnemoforge[alfworld]' "
    "(it compiles a planner: about 5 minutes, needs gcc and cmake)"
)
_FOLDER = re.compile(r"^([a-z_]+)-([A-Za-z]+)-([A-Za-z]+)-([A-Za-z]+)-(\d+)$")
_TASK_SENTENCE = re.compile(r"Your task is to: ([^\"\\]*)")


@dataclass(frozen=True)
class AlfworldTask(PlanningTask):
    game_file: str = ""
    walkthrough: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlfworldDataset:
    """ALFWorld games grouped by floor plan; see the module docstring."""

    name: str
    episodes: tuple[PlanningEpisode, ...]
    content_hash: str
    step_limit: int = DEFAULT_STEP_LIMIT

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.content_hash}:{self.step_limit}".encode()).hexdigest()[:16]

    def open_task(self, episode: PlanningEpisode, task: PlanningTask) -> AlfworldEnvironment:
        assert isinstance(task, AlfworldTask)
        return AlfworldEnvironment(task.game_file)


def load_alfworld(folder: Path) -> AlfworldDataset:
    """Every game under `folder`; raises `DataError` when there is none or one cannot be read."""
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder of ALFWorld games (each in a folder with {GAME_FILE})")
    files = sorted(folder.rglob(GAME_FILE))
    if not files:
        raise DataError(
            f"no {GAME_FILE} file under {folder}; point alfworld:PATH at ALFWorld's json_2.1.1 games"
        )
    digest = hashlib.sha256()
    by_plan: dict[str, list[AlfworldTask]] = {}
    for path in files:
        content = path.read_bytes()
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + content)
        task, plan = _task(path, content)
        by_plan.setdefault(plan, []).append(task)
    episodes = tuple(
        PlanningEpisode(f"floorplan-{plan}", tuple(tasks))
        for plan, tasks in sorted(by_plan.items(), key=lambda pair: int(pair[0]))
    )
    return AlfworldDataset(f"alfworld({folder.name})", episodes, digest.hexdigest())


def _task(path: Path, content: bytes) -> tuple[AlfworldTask, str]:
    folder = path.parent.parent.name if _FOLDER.match(path.parent.parent.name) else path.parent.name
    match = _FOLDER.match(folder)
    if not match or match.group(1) not in ALFWORLD_TASK_KINDS:
        raise DataError(
            f"{path}: its folder is not named like an ALFWorld task "
            "(e.g. pick_and_place_simple-Book-None-Sofa-229)"
        )
    try:
        game = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{path} is not a readable ALFWorld game ({error})") from None
    sentence = _TASK_SENTENCE.search(game.get("grammar", ""))
    if sentence is None:
        raise DataError(f"{path}: its grammar states no task ('Your task is to: ...')")
    goal_text = sentence.group(1).strip()
    parsed = parse_goal(goal_text)
    kind, obj, target = ALFWORLD_TASK_KINDS[match.group(1)], match.group(2).lower(), match.group(4).lower()
    goal = Goal(kind, obj, parsed.target if parsed else target)
    walkthrough = tuple(game.get("walkthrough", ()))
    task_id = f"{folder}/{path.parent.name}"
    return (
        AlfworldTask(task_id, goal, goal_text, len(walkthrough) or None, str(path), walkthrough),
        match.group(5),
    )


class AlfworldEnvironment:
    """A `TaskEnvironment` over one ALFWorld game: TextWorld's PDDL engine with ALFWorld's wrappers.

    TextWorld drives one planner library per process, so games are played one at a time.
    """

    def __init__(self, game_file: str) -> None:
        self.game_file = game_file
        self._env: Any = None

    def reset(self) -> Observation:
        self._env = _start(self.game_file)
        return _observation(self._env.reset())

    def step(self, command: str) -> Observation:
        state, _, _ = self._env.step(command)
        return _observation(state)

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None


def _start(game_file: str) -> Any:
    try:
        import textworld
        from alfworld.agents.environment.alfred_tw_env import AlfredDemangler, AlfredInfos
    except ImportError:
        raise DataError(EXTRA_MISSING) from None
    _memoize_textworld_parsing()
    infos = textworld.EnvInfos(won=True, admissible_commands=True)
    return textworld.start(game_file, request_infos=infos, wrappers=[AlfredDemangler(), AlfredInfos])


_MEMOIZED = False
PARSE_CACHE_SIZE = 4096
TRANSLATION_CACHE_SIZE = 64


def _memoize_textworld_parsing() -> None:
    """Memoize two pure functions TextWorld recomputes on every reset and step, for a 2-3x faster game.

    TextWorld translates a game's PDDL to the planner's SAS form on every reset (seconds), and parses
    the text-generation template of every admissible command on every step. Both depend only on their
    text arguments; parsed templates are handed out as copies because TextWorld annotates them. The
    walkthrough tests play every dev game to a win through these caches.
    """
    global _MEMOIZED
    if _MEMOIZED:
        return
    import fast_downward
    import textworld.envs.pddl.textgen as textgen

    translate = functools.lru_cache(maxsize=TRANSLATION_CACHE_SIZE)(fast_downward.pddl2sas)
    parse = functools.lru_cache(maxsize=PARSE_CACHE_SIZE)(textgen._parse_and_convert)

    def pddl2sas(domain: str, problem: str, verbose: bool = False, optimize: bool = False) -> Any:
        return translate(domain, problem, verbose=verbose, optimize=optimize)

    def parse_and_convert(text: str, rule_name: str = "start", trace: bool = False) -> Any:
        return copy.deepcopy(parse(text, rule_name=rule_name, trace=trace))

    fast_downward.pddl2sas = pddl2sas
    textgen._parse_and_convert = parse_and_convert
    _MEMOIZED = True


def _observation(state: Any) -> Observation:
    admissible = tuple(c for c in state.get("admissible_commands") or () if c != "help")
    return Observation(_clean(state.feedback), admissible, bool(state.get("won")))


def _clean(text: str) -> str:
    """The observation without TextWorld's banner."""
    return re.sub(r"^-= Welcome to TextWorld, ALFRED! =-\s*", "", text.strip())
