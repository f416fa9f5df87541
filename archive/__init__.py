"""The archive: every run, program, evaluation, mutation attempt and model call of mnemoforge.

It stores plain data and imports no other part of mnemoforge but `providers.accounting` (standard library
only), so that the model costs it sums are the ledger's totals, summed the same way. `ArchiveStore` is the
way in.
"""

from archive.errors import ArchiveError, ArchiveLookupError
from archive.models import (
    CANDIDATE_STATUSES,
    EVALUATION_STATUSES,
    RUN_STATUSES,
    Candidate,
    Evaluation,
    EvaluationCases,
    LLMCall,
    Program,
    ProgramParent,
    Run,
    RunProgram,
    program_id_for,
)
from archive.queries import FailureCounts, ProgressPoint
from archive.store import DEFAULT_URL, ArchiveStore

__all__ = [
    "CANDIDATE_STATUSES",
    "DEFAULT_URL",
    "EVALUATION_STATUSES",
    "RUN_STATUSES",
    "ArchiveError",
    "ArchiveLookupError",
    "ArchiveStore",
    "Candidate",
    "Evaluation",
    "EvaluationCases",
    "FailureCounts",
    "LLMCall",
    "Program",
    "ProgramParent",
    "ProgressPoint",
    "Run",
    "RunProgram",
    "program_id_for",
]
