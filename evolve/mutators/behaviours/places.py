"""Places: a read for a task starts with where things of its kinds were seen, counted over every task.

An agent that acts in a new room cannot be told where this apple lies, only where apples tend to be:
ALFWorld spawns every game's objects anew, and most games are in rooms the agent has not seen. What
carries over is the priors (apples lie on countertops, in fridges, in sink basins) and the procedure
(the microwave heats). A memory of trajectories holds those priors spread over raw play, in the lines it
happens to retrieve for a task. The wrapper counts, over every trajectory written, where each kind of
object was seen (every object a receptacle was shown to hold, not only the task's), and puts first in
the read the treatments that share a word with the task, then the PLACES_PER_KIND places each kind of
object the task names was seen most often; after them, what the program read, less the raw play (the
commands and the world's answers) that the counts hold in short. Measured with the offline agent
(docs/planning.md): such counts save as many steps on the ALFWorld dev games as the seeds that save most
(benchmarks/results/planning_memory_ceiling.md), and the winner of a built-in run, a `places` child, reads
123 characters a task there against 1,522 for `fact_manager`, which saves as many steps.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import recording_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "places"
WRAPPER = recording_wrapper(
    "with where each kind of object was seen, and the treatments that worked, read first",
    "places",
    "_PlaceCounts",
    "add_trajectory",
    """
    return _places_first(self.inner.read(query), query, self.places, PLACES_PER_KIND, PLACES_READ_CHARS)
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    constants = {"PLACES_PER_KIND": "6", "PLACES_READ_CHARS": str(context.read_chars)}
    source = wrap(program, constants, {"_PlaceCounts", "_places_first"}, WRAPPER)
    if source is None:
        return None
    return Behaviour(
        source, "places: where things of the task's kinds were seen, and its treatments, read first"
    )
