"""Vector RAG over chunks of raw text: the default memory of most agent frameworks.

Re-implements the retrieval-augmented memory that LangChain/LlamaIndex-style agents and M★'s
vector-search seed use (Lewis et al., 2020, for RAG): raw text is cut into overlapping chunks of a few
turns, each chunk is embedded into a vector collection, and a read returns the chunks nearest to the
query until the budget is full. Keeps: chunking with overlap, dense top-k retrieval, Chroma's API.
Simplifies: embeddings come from the host's embedder (a hashed lexical one by default, a neural one
when configured), no re-ranking.
"""

from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: overlapping chunks of turns in a vector collection, top-k by similarity."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as a short description of the information needed to answer it."
INSTRUCTION_RESPONSE = (
    "Answer the question in a few words using the retrieved passages. Resolve relative dates against "
    "the session date shown with a passage. If the passages do not say, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

CHUNK_TURNS = 4
CHUNK_OVERLAP = 1
TOP_K = 8
READ_CHAR_BUDGET = 3000


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """What to search for."""

    text: str = field(metadata={"description": "The information needed, in a sentence"})


class KnowledgeBase:
    """One Chroma collection of chunks; chunk ids count up so that order is kept."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.collection = toolkit.chroma.get_or_create_collection("chunks", metadata={"hnsw:space": "cosine"})
        self.next_id = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        step = max(1, CHUNK_TURNS - CHUNK_OVERLAP)
        chunks = ["\n".join(lines[start : start + CHUNK_TURNS]) for start in range(0, len(lines), step)]
        chunks = [f"[{date}]\n{chunk}" if date else chunk for chunk in chunks if chunk]
        if not chunks:
            return
        ids = [f"chunk-{self.next_id + offset}" for offset in range(len(chunks))]
        self.next_id += len(chunks)
        self.collection.add(ids=ids, documents=chunks, metadatas=[{"date": date} for _ in chunks])
        self.toolkit.logger.debug(f"stored {len(chunks)} chunks dated {date!r}")

    def read(self, query: Query) -> str:
        if self.collection.count() == 0:
            return ""
        found = self.collection.query(query_texts=[query.text], n_results=TOP_K)["documents"][0]
        selected, used = [], 0
        for chunk in found:
            if used + len(chunk) + 2 > READ_CHAR_BUDGET:
                break
            selected.append(chunk)
            used += len(chunk) + 2
        self.toolkit.logger.debug(
            f"query {query.text[:60]!r}: returned {len(selected)} of {len(found)} chunks"
        )
        return "\n\n".join(selected)
