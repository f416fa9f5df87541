"""ALFWorld games as planning tasks: the same episodes, agents and metrics as the built-in world.

Loading needs nothing but the files: every `game.tw-pddl` under a folder is a task, its kind and object
read from the folder name ALFWorld gives it (`pick_heat_then_place_in_recep-Egg-None-Fridge-14`), its
sentence from the game's grammar and its expert length from the walkthrough. Games of one floor plan
(the name's last number) form one episode, played in order with one memory, and are the unit of
splitting. Playing needs the `alfworld` extra (PyPI `textworld[pddl]` and `alfworld`), imported only
when a game starts; nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.planning import textworld_speedups
from evaluators.planning.data import (
    DEFAULT_STEP_LIMIT,
    DataError,
    Observation,
    PlanningEpisode,
    PlanningTask,
)
from evaluators.planning.goals import ALFWORLD_TASK_KINDS, Goal, parse_goal

GAME_FILE = "game.tw-pddl"
GAMES_PER_EPISODE = 6
"""Games a memory carries over (the built-in world's six tasks an episode); a floor plan is never split."""
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
    floor_plan: str = ""
    """The AI2-THOR floor plan (the folder name's last number): games of one share their room."""


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
        task = _task(path, content)
        by_plan.setdefault(task.floor_plan, []).append(task)
    return AlfworldDataset(f"alfworld({folder.name})", group_games(by_plan), digest.hexdigest())


def group_games(by_plan: dict[str, list[AlfworldTask]], salt: str = "") -> tuple[PlanningEpisode, ...]:
    """Runs of at least `GAMES_PER_EPISODE` games, whole floor plans in the order of a hash of
    `salt` and their number (the last run may be shorter); another salt, another order."""
    order = sorted(by_plan, key=lambda plan: hashlib.sha256(f"{salt}{plan}".encode()).hexdigest())
    episodes: list[PlanningEpisode] = []
    plans: list[str] = []
    for plan in order:
        plans.append(plan)
        games = [task for p in plans for task in by_plan[p]]
        if len(games) >= GAMES_PER_EPISODE or plan == order[-1]:
            episodes.append(PlanningEpisode(f"floorplans-{'-'.join(plans)}", tuple(games)))
            plans = []
    return tuple(episodes)


def _task(path: Path, content: bytes) -> AlfworldTask:
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
    return AlfworldTask(
        task_id, goal, goal_text, len(walkthrough) or None, str(path), walkthrough, match.group(5)
    )


class AlfworldEnvironment:
    """A `TaskEnvironment` over one ALFWorld game: TextWorld's PDDL engine with ALFWorld's wrappers.

    TextWorld drives one planner library per process, so games are played one at a time. A loaded game
    is kept (`ENV_CACHE_SIZE` most recent) and only reset when played again: an evaluation plays every
    game twice (no memory, then the program), and evolution plays them once per program.
    """

    def __init__(self, game_file: str) -> None:
        self.game_file = game_file
        self._env: Any = None

    def reset(self) -> Observation:
        self._env = _loaded(self.game_file)
        return _observation(self._env.reset())

    def step(self, command: str) -> Observation:
        state, _, _ = self._env.step(command)
        return _observation(state)

    def close(self) -> None:
        self._env = None  # the loaded game stays cached; reset() starts it afresh


ENV_CACHE_SIZE = 64
_ENVS: OrderedDict[str, Any] = OrderedDict()


def _loaded(game_file: str) -> Any:
    """The game loaded once per process (least recently played dropped first), ready to reset."""
    env = _ENVS.pop(game_file, None)
    if env is None:
        env = _start(game_file)
    _ENVS[game_file] = env
    while len(_ENVS) > ENV_CACHE_SIZE:
        _ENVS.popitem(last=False)[1].close()
    return env


def _start(game_file: str) -> Any:
    try:
        import textworld
        from alfworld.agents.environment.alfred_tw_env import AlfredDemangler, AlfredInfos
    except ImportError:
        raise DataError(EXTRA_MISSING) from None
    textworld_speedups.install()
    infos = textworld.EnvInfos(won=True, admissible_commands=True)
    return textworld.start(game_file, request_infos=infos, wrappers=[AlfredDemangler(), AlfredInfos])


def _observation(state: Any) -> Observation:
    admissible = tuple(c for c in state.get("admissible_commands") or () if c != "help")
    return Observation(_clean(state.feedback), admissible, bool(state.get("won")))


def _clean(text: str) -> str:
    """The observation without TextWorld's banner."""
    return re.sub(r"^-= Welcome to TextWorld, ALFRED! =-\s*", "", text.strip())
