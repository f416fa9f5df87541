"""The toolkit a program receives: Chroma compatibility, the LLM budget, the logger, the private db."""

from __future__ import annotations

import pytest

from providers.embedders import HashedLexicalEmbedder
from sandbox.toolkit import MAX_LOG_LINES, CapabilityError, Toolkit
from sandbox.vectorstore import VectorStoreError


@pytest.fixture
def toolkit() -> Toolkit:
    return Toolkit(HashedLexicalEmbedder())


def test_chroma_query_returns_nearest_documents_as_lists_of_lists(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.get_or_create_collection("knowledge")
    collection.add(
        documents=["my dog Rex loves the park", "I work as a nurse", "we moved to Boston"],
        ids=["a", "b", "c"],
        metadatas=[{"kind": "pet"}, {"kind": "job"}, {"kind": "place"}],
    )
    result = collection.query(query_texts=["what is the dog called", "who works as a nurse"], n_results=2)
    assert [ids[0] for ids in result["ids"]] == ["a", "b"]
    assert result["documents"][0][0] == "my dog Rex loves the park"
    assert result["metadatas"][1][0] == {"kind": "job"}
    assert len(result["distances"][0]) == 2 and result["distances"][0][0] <= result["distances"][0][1]
    assert toolkit.chroma.get_or_create_collection("knowledge") is collection


def test_chroma_default_distance_is_squared_l2(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.create_collection("vectors")
    collection.add(ids=["x", "y"], embeddings=[[1.0, 0.0], [0.0, 2.0]])
    result = collection.query(query_embeddings=[[1.0, 1.0]], n_results=2, include=["distances"])
    assert result["ids"] == [["x", "y"]]
    assert result["distances"] == [[1.0, 2.0]]  # (0^2 + 1^2) and (1^2 + 1^2)
    assert result["documents"] is None


def test_chroma_cosine_space(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.create_collection("cos", metadata={"hnsw:space": "cosine"})
    collection.add(ids=["x", "y"], embeddings=[[2.0, 0.0], [0.0, 3.0]])
    result = collection.query(query_embeddings=[[1.0, 0.0]], n_results=2)
    assert result["distances"][0] == pytest.approx([0.0, 1.0])


def test_chroma_add_rejects_existing_ids_and_upsert_replaces(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.get_or_create_collection("c")
    collection.add(ids=["1"], documents=["first"])
    with pytest.raises(VectorStoreError, match="already exist"):
        collection.add(ids=["1"], documents=["again"])
    collection.upsert(ids=["1", "2"], documents=["replaced", "second"])
    assert collection.count() == 2
    assert collection.get(ids=["1"])["documents"] == ["replaced"]


def test_chroma_where_filters_get_and_delete(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.get_or_create_collection("c")
    collection.add(
        ids=[str(i) for i in range(6)],
        documents=[f"note {i}" for i in range(6)],
        metadatas=[{"session": i, "speaker": "ann" if i % 2 else "bob"} for i in range(6)],
    )
    assert collection.get(where={"session": {"$gte": 4}})["ids"] == ["4", "5"]
    assert collection.get(where={"$and": [{"speaker": "ann"}, {"session": {"$lt": 4}}]})["ids"] == ["1", "3"]
    assert collection.get(where={"session": {"$in": [0, 5]}})["ids"] == ["0", "5"]
    assert collection.get(where_document={"$contains": "note 2"})["ids"] == ["2"]
    assert collection.get(limit=2, offset=1)["ids"] == ["1", "2"]
    query = collection.query(query_texts=["note"], n_results=10, where={"speaker": "bob"})
    assert sorted(query["ids"][0]) == ["0", "2", "4"]
    collection.delete(where={"speaker": "bob"})
    assert collection.count() == 3
    collection.delete(ids=["1"])
    assert collection.get()["ids"] == ["3", "5"]


def test_chroma_update_keeps_the_rest_of_a_record(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.get_or_create_collection("c")
    collection.add(ids=["1"], documents=["old text"], metadatas=[{"v": 1}])
    collection.update(ids=["1"], metadatas=[{"v": 2}])
    assert collection.get(ids="1") == {
        "ids": ["1"],
        "documents": ["old text"],
        "metadatas": [{"v": 2}],
        "embeddings": None,
    }
    with pytest.raises(VectorStoreError, match="do not exist"):
        collection.update(ids=["9"], documents=["x"])


def test_chroma_many_single_adds_stay_consistent(toolkit: Toolkit) -> None:
    collection = toolkit.chroma.get_or_create_collection("c")
    for i in range(300):
        collection.add(ids=[f"t{i}"], documents=[f"turn number {i} about topic{i % 7}"])
    collection.delete(ids=[f"t{i}" for i in range(0, 300, 2)])
    assert collection.count() == 150
    best = collection.query(query_texts=["turn number 151 about topic4"], n_results=1)
    assert best["ids"] == [["t151"]]


def test_chroma_collection_management(toolkit: Toolkit) -> None:
    client = toolkit.chroma
    client.create_collection("a")
    with pytest.raises(VectorStoreError, match="already exists"):
        client.create_collection("a")
    assert [c.name for c in client.list_collections()] == ["a"]
    client.delete_collection("a")
    with pytest.raises(VectorStoreError, match="does not exist"):
        client.get_collection("a")


def test_llm_budget_is_per_operation() -> None:
    calls: list[tuple[str, str | None, int]] = []

    def backend(prompt: str, system: str | None, max_tokens: int) -> str:
        calls.append((prompt, system, max_tokens))
        return "ok"

    toolkit = Toolkit(HashedLexicalEmbedder(), backend, llm_calls_per_operation=1)
    toolkit.begin_operation()
    assert toolkit.llm("hello", system="be brief", max_tokens=5) == "ok"
    with pytest.raises(CapabilityError) as spent:
        toolkit.llm("again")
    assert spent.value.reason == "llm_budget"
    toolkit.begin_operation()
    assert (
        toolkit.llm_completion([{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}])
        == "ok"
    )
    assert calls == [("hello", "be brief", 5), ("hi", "sys", 512)]
    assert toolkit.llm_calls == 2


def test_llm_without_backend_says_none_is_configured(toolkit: Toolkit) -> None:
    with pytest.raises(CapabilityError, match="no LLM is configured") as raised:
        toolkit.llm("hello")
    assert raised.value.reason == "llm_unavailable"


def test_logger_is_bounded_and_reports_what_it_dropped(toolkit: Toolkit) -> None:
    for i in range(MAX_LOG_LINES + 5):
        toolkit.logger.debug(f"line {i}")
    lines = toolkit.logger.drain()
    assert len(lines) == MAX_LOG_LINES + 1
    assert lines[-1].startswith("[5 log lines dropped")
    assert toolkit.logger.drain() == []


def test_db_is_a_private_in_memory_sqlite(toolkit: Toolkit) -> None:
    toolkit.db.execute("CREATE TABLE facts (text TEXT)")
    toolkit.db.execute("INSERT INTO facts VALUES ('x')")
    other = Toolkit(HashedLexicalEmbedder())
    assert toolkit.db.execute("SELECT count(*) FROM facts").fetchone() == (1,)
    assert other.db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_hashed_embedder_is_deterministic_and_lexical() -> None:
    embedder = HashedLexicalEmbedder(dimensions=256)
    a, b, c = embedder(["the dog barked", "the dog barked", "quarterly tax filing"])
    assert a == b and len(a) == 256
    similar = embedder(["a dog barking"])[0]
    dot = sum(x * y for x, y in zip(a, similar, strict=True))
    unrelated = sum(x * y for x, y in zip(a, c, strict=True))
    assert dot > 0.3 > unrelated
