"""The memory program contract: what loads, what is refused, and how the refusal reads."""

from __future__ import annotations

import pytest

from sandbox.contract import ContractError, declared_requires, instantiate, load_program
from seeds import SEEDS
from tests.programs import MSTAR_VECTOR_SEARCH


def replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def test_every_seed_meets_the_contract() -> None:
    for seed in SEEDS:
        program = load_program(seed.source)
        assert program.description.instructions["INSTRUCTION_RESPONSE"], seed.name
        assert program.description.warnings == (), seed.name


def test_mstar_program_loads_and_exposes_json_schemas() -> None:
    description = load_program(MSTAR_VECTOR_SEARCH).description
    assert description.knowledge_item_schema == {
        "title": "KnowledgeItem",
        "type": "object",
        "properties": {
            "summary": {"type": "string", "description": "Concise summary of key facts from the text"}
        },
        "description": "A factual summary extracted from source text.",
        "required": ["summary"],
    }
    assert description.query_schema["properties"]["text"]["type"] == "string"


def test_fields_without_description_load_with_a_warning() -> None:
    source = replace(
        MSTAR_VECTOR_SEARCH,
        'text: str = field(metadata={"description": "The query text to search for"})',
        "text: str",
    )
    description = load_program(source).description
    assert description.warnings == ('Query.text has no metadata={"description": ...}',)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("class KnowledgeBase:", "class Memory:", "does not define KnowledgeBase"),
        ('INSTRUCTION_QUERY = "Given', 'QUERY_HINT = "Given', "does not define INSTRUCTION_QUERY"),
        (
            'INSTRUCTION_RESPONSE = "Based on the above knowledge and the original question, '
            'provide a short answer."',
            'INSTRUCTION_RESPONSE = ""',
            "INSTRUCTION_RESPONSE must not be empty",
        ),
        ('ALWAYS_ON_KNOWLEDGE = ""', "ALWAYS_ON_KNOWLEDGE = 3", "ALWAYS_ON_KNOWLEDGE must be a string"),
        ("@dataclass\nclass Query:", "class Query:", "Query must be a class decorated with @dataclass"),
        (
            "def read(self, query: Query) -> str:",
            "def lookup(self, query: Query) -> str:",
            "has no read() method",
        ),
        (
            "def write(self, item: KnowledgeItem, raw_text: str)",
            "def write(self, item: KnowledgeItem)",
            "KnowledgeBase.write must accept (self, item, raw_text)",
        ),
        (
            "from dataclasses import dataclass, field",
            "from dataclasses import dataclass, field\nimport requests",
            "imports 'requests', which the sandbox does not have",
        ),
        ("summary: str = field(", "summary: bytes = field(", "has type bytes, which JSON cannot carry"),
        ('ALWAYS_ON_KNOWLEDGE = ""', 'ALWAYS_ON_KNOWLEDGE = ""\nREQUIRES = ("gpu",)', "unknown capabilities"),
        (
            'ALWAYS_ON_KNOWLEDGE = ""',
            'ALWAYS_ON_KNOWLEDGE = ""\n1 / 0',
            "raised ZeroDivisionError while being loaded",
        ),
    ],
)
def test_contract_violations_are_one_clear_sentence(old: str, new: str, expected: str) -> None:
    with pytest.raises(ContractError) as raised:
        load_program(replace(MSTAR_VECTOR_SEARCH, old, new))
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_syntax_errors_name_the_line() -> None:
    broken = replace(
        MSTAR_VECTOR_SEARCH, "def read(self, query: Query) -> str:", "def read(self, query: Query) -> str"
    )
    with pytest.raises(ContractError) as raised:
        load_program(broken)
    assert raised.value.line == broken.splitlines().index("    def read(self, query: Query) -> str") + 1
    assert str(raised.value).startswith(f"line {raised.value.line}: the program is not valid Python")


def test_import_errors_name_the_line() -> None:
    source = replace(
        MSTAR_VECTOR_SEARCH,
        "from dataclasses import dataclass, field",
        "from dataclasses import dataclass, field\nimport torch",
    )
    with pytest.raises(ContractError) as raised:
        load_program(source)
    assert raised.value.line == 3


def test_instantiate_coerces_agent_output_to_the_declared_types() -> None:
    source = replace(
        MSTAR_VECTOR_SEARCH,
        '    summary: str = field(metadata={"description": "Concise summary of key facts from the text"})',
        "    summary: str\n    count: int = 0\n    tags: list[str] = field(default_factory=list)\n"
        "    score: float | None = None\n    urgent: bool = False",
    )
    program = load_program(source)
    item = program.make_item(
        {"summary": ["a", "b"], "count": "3", "tags": "one", "urgent": "yes", "extra": 1}
    )
    assert (item.summary, item.count, item.tags, item.score, item.urgent) == ("a, b", 3, ["one"], None, True)
    missing = program.make_item({})
    assert (missing.summary, missing.count, missing.tags) == ("", 0, [])


@pytest.mark.parametrize(
    ("value", "as_int", "as_float"),
    [
        ("inf", 0, 0.0),
        (float("inf"), 0, 0.0),
        ("-Infinity", 0, 0.0),
        ("nan", 0, 0.0),
        (float("nan"), 0, 0.0),
        ("1e400", 0, 0.0),
        (10**400, 10**400, 0.0),
        ("123456789012345678901234567890", 123456789012345678901234567890, 1.2345678901234568e29),
        ("9" * 5000, 0, 0.0),
        (" 42 ", 42, 42.0),
        ("2.7", 2, 2.7),
    ],
)
def test_instantiate_coerces_infinities_nan_and_huge_numbers(
    value: object, as_int: int, as_float: float
) -> None:
    source = replace(
        MSTAR_VECTOR_SEARCH,
        '    summary: str = field(metadata={"description": "Concise summary of key facts from the text"})',
        "    summary: str\n    count: int = 0\n    weight: float = 1.0",
    )
    program = load_program(source)
    item = program.make_item({"summary": value, "count": value, "weight": value})
    assert (item.count, item.weight) == (as_int, as_float)
    assert isinstance(item.summary, str)


def test_instantiate_refuses_non_objects() -> None:
    program = load_program(MSTAR_VECTOR_SEARCH)
    with pytest.raises(TypeError, match="must be built from a JSON object"):
        instantiate(program.module.Query, ["not", "an", "object"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "declared"),
    [
        ('REQUIRES = ("llm",)', ("llm",)),
        ('REQUIRES = "llm"', ("llm",)),
        ('REQUIRES = ["llm", "embed"]', ("llm", "embed")),
        ("REQUIRES: tuple[str, ...] = ()", ()),
        ("REQUIRES = 3", ()),
        ("REQUIRES = tuple(['llm'])", ()),
        ("", ()),
    ],
)
def test_requires_reads_the_same_from_source_as_the_contract_loads_it(line: str, declared: tuple) -> None:
    source = f"{MSTAR_VECTOR_SEARCH}\n{line}\n"
    assert declared_requires(source) == declared
    if line in ("REQUIRES = 3",):
        with pytest.raises(ContractError, match="REQUIRES must be a tuple"):
            load_program(source)
    elif "tuple([" not in line:
        assert load_program(source).description.requires == declared
