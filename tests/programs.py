"""Memory programs used by several tests: an M★-style program and degenerate ones that game metrics."""

from __future__ import annotations

from textwrap import dedent

MSTAR_VECTOR_SEARCH = dedent(
    '''
    from dataclasses import dataclass, field

    INSTRUCTION_KNOWLEDGE_ITEM = "Extract a concise summary capturing the key facts from the text."
    INSTRUCTION_QUERY = "Given the following question, generate a query to retrieve relevant knowledge."
    INSTRUCTION_RESPONSE = "Based on the above knowledge and the original question, provide a short answer."
    ALWAYS_ON_KNOWLEDGE = ""


    @dataclass
    class KnowledgeItem:
        """A factual summary extracted from source text."""

        summary: str = field(metadata={"description": "Concise summary of key facts from the text"})


    @dataclass
    class Query:
        """Semantic search query."""

        text: str = field(metadata={"description": "The query text to search for"})


    class KnowledgeBase:
        """Embedding-based retrieval using ChromaDB. No LLM calls."""

        def __init__(self, toolkit):
            self.toolkit = toolkit
            self.collection = toolkit.chroma.get_or_create_collection("knowledge")
            self.count = 0

        def write(self, item: KnowledgeItem, raw_text: str) -> None:
            self.collection.add(documents=[raw_text], ids=[f"doc_{self.count}"])
            self.count += 1
            self.toolkit.logger.debug(f"Stored document {self.count}")

        def read(self, query: Query) -> str:
            if self.count == 0:
                return "No information stored."
            results = self.collection.query(query_texts=[query.text], n_results=min(3, self.count))
            return "\\n\\n".join(results["documents"][0])[:3000]
    '''
)
"""M★'s published vector-search seed, as its users write it: must run unmodified."""

_HEADER = dedent(
    """
    from dataclasses import dataclass, field
    import collections, random, re

    INSTRUCTION_KNOWLEDGE_ITEM = "Copy the text."
    INSTRUCTION_QUERY = "Copy the question."
    INSTRUCTION_RESPONSE = "Answer."
    ALWAYS_ON_KNOWLEDGE = ""


    @dataclass
    class KnowledgeItem:
        text: str = field(default="", metadata={"description": "the text"})


    @dataclass
    class Query:
        text: str = field(default="", metadata={"description": "the question"})

    """
)


def degenerate(store: str, read: str) -> str:
    """A program whose KnowledgeBase keeps raw text in `self.texts` and reads with the given body."""
    return _HEADER + dedent(
        f"""
        class KnowledgeBase:
            def __init__(self, toolkit):
                self.texts = []
                self.rng = random.Random(0)

            def write(self, item, raw_text):
                {store}

            def read(self, query):
                {read}
        """
    )


BAG_OF_FREQUENT_WORDS = degenerate(
    "self.texts.append(raw_text)",
    "return ' '.join(w for w, _ in collections.Counter("
    "re.findall(r'[a-z]+', ' '.join(self.texts).lower())).most_common(500))",
)
RANDOM_STORED_TEXT = degenerate(
    "self.texts.extend(raw_text.splitlines())",
    "return '\\n'.join(self.rng.sample(self.texts, min(30, len(self.texts))))",
)
QUESTION_ECHO = degenerate("pass", "return query.text")
WHOLE_STORE_TRUNCATED = degenerate("self.texts.append(raw_text)", "return '\\n'.join(self.texts)")
EMPTY_MEMORY = degenerate("pass", "return ''")
