"""`python -m evolve`: the mnemoforge CLI, for environments without the console script on PATH."""

from evolve.launch import main

main()
