"""`python -m evolve`: the mnemoforge CLI, for environments without the console script on PATH."""

from evolve.cli import app

app()
