"""Mutators: how evolution makes a child memory program from a parent (and, for crossover, other elites).

Every mutator returns a `base.Mutation`. `structural.StructuralMutator` needs no LLM: it perturbs tunable
numbers and recombines functions and methods between programs, so that a run works with no API key;
`reflective.ReflectiveMutator` asks an LLM to rewrite the parent from its failures.
"""
