"""A small Chroma-compatible vector store: what `toolkit.chroma` is.

Memory programs written for M★ use an ephemeral `chromadb` client. The real chromadb is too large for the
sandbox image and pulls a network-loving embedding default, so this module re-implements the part of its
API that memory programs use, with numpy inside and embeddings from the host (`toolkit.embed`).

Compatible behaviour kept on purpose: `query` returns lists of lists (one per query), distances are
squared L2 unless the collection's metadata says `{"hnsw:space": "cosine" | "ip"}`, `add` rejects
existing ids while `upsert` replaces them, and `where` filters accept `$eq $ne $gt $gte $lt $lte $in $nin
$and $or`; `where_document` accepts `$contains`, `$not_contains`, `$and`, `$or`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Embedder = Callable[[list[str]], list[list[float]]]
Metadata = dict[str, str | int | float | bool]

_INCLUDE_DEFAULT_QUERY = ("documents", "metadatas", "distances")
_INCLUDE_DEFAULT_GET = ("documents", "metadatas")


class VectorStoreError(ValueError):
    """Misuse of the store (duplicate id, unknown collection, mismatched lengths), as chromadb reports it."""


class ChromaClient:
    """The client object: named collections, created on demand, living as long as the program instance."""

    def __init__(self, embed: Embedder) -> None:
        self._embed = embed
        self._collections: dict[str, Collection] = {}

    def get_or_create_collection(self, name: str, metadata: Metadata | None = None, **_: Any) -> Collection:
        if name not in self._collections:
            self._collections[name] = Collection(name, self._embed, metadata or {})
        return self._collections[name]

    def create_collection(self, name: str, metadata: Metadata | None = None, **kwargs: Any) -> Collection:
        if name in self._collections and not kwargs.get("get_or_create"):
            raise VectorStoreError(f"collection {name!r} already exists")
        return self.get_or_create_collection(name, metadata)

    def get_collection(self, name: str, **_: Any) -> Collection:
        if name not in self._collections:
            raise VectorStoreError(f"collection {name!r} does not exist")
        return self._collections[name]

    def delete_collection(self, name: str) -> None:
        if self._collections.pop(name, None) is None:
            raise VectorStoreError(f"collection {name!r} does not exist")

    def list_collections(self) -> list[Collection]:
        return list(self._collections.values())

    def reset(self) -> bool:
        self._collections.clear()
        return True

    def heartbeat(self) -> int:
        return 0


class Collection:
    """One collection: parallel arrays of ids, documents, metadatas and an embedding matrix."""

    def __init__(self, name: str, embed: Embedder, metadata: Metadata) -> None:
        self.name = name
        self.metadata = metadata
        self._embed = embed
        self._space = str(metadata.get("hnsw:space", "l2"))
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._documents: list[str | None] = []
        self._metadatas: list[Metadata | None] = []
        # Rows live in a buffer that doubles when full, so n single-record adds cost O(n), not O(n^2).
        self._buffer = np.zeros((0, 0), dtype=np.float32)
        self._norms_cache: np.ndarray | None = None

    @property
    def _vectors(self) -> np.ndarray:
        return self._buffer[: len(self._ids)]

    def count(self) -> int:
        return len(self._ids)

    def add(
        self,
        ids: str | Sequence[str],
        embeddings: Sequence[Sequence[float]] | None = None,
        metadatas: Metadata | Sequence[Metadata | None] | None = None,
        documents: str | Sequence[str] | None = None,
        **_: Any,
    ) -> None:
        ids = _as_list(ids)
        duplicates = [i for i in ids if i in self._index] + _repeated(ids)
        if duplicates:
            raise VectorStoreError(f"ids already exist in collection {self.name!r}: {duplicates[:5]}")
        self._store(ids, embeddings, metadatas, documents)

    def upsert(
        self,
        ids: str | Sequence[str],
        embeddings: Sequence[Sequence[float]] | None = None,
        metadatas: Metadata | Sequence[Metadata | None] | None = None,
        documents: str | Sequence[str] | None = None,
        **_: Any,
    ) -> None:
        ids = _as_list(ids)
        if _repeated(ids):
            raise VectorStoreError(f"ids repeated in one upsert: {_repeated(ids)[:5]}")
        self._delete_ids([i for i in ids if i in self._index])
        self._store(ids, embeddings, metadatas, documents)

    def update(
        self,
        ids: str | Sequence[str],
        embeddings: Sequence[Sequence[float]] | None = None,
        metadatas: Metadata | Sequence[Metadata | None] | None = None,
        documents: str | Sequence[str] | None = None,
        **_: Any,
    ) -> None:
        ids = _as_list(ids)
        missing = [i for i in ids if i not in self._index]
        if missing:
            raise VectorStoreError(f"cannot update ids that do not exist: {missing[:5]}")
        rows = [self._index[i] for i in ids]
        old_documents = [self._documents[r] for r in rows]
        old_metadatas = [self._metadatas[r] for r in rows]
        old_vectors = self._vectors[rows] if embeddings is None and documents is None else None
        new_documents = _as_list(documents) if documents is not None else old_documents
        new_metadatas = _as_list(metadatas) if metadatas is not None else old_metadatas
        self._delete_ids(ids)
        vectors = embeddings if embeddings is not None else old_vectors
        self._store(ids, vectors, new_metadatas, new_documents)

    def get(
        self,
        ids: str | Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        where_document: dict[str, Any] | None = None,
        include: Sequence[str] = _INCLUDE_DEFAULT_GET,
        **_: Any,
    ) -> dict[str, Any]:
        rows = self._filtered_rows(where, where_document)
        if ids is not None:
            wanted = _as_list(ids)
            allowed = set(rows)
            rows = [self._index[i] for i in wanted if i in self._index and self._index[i] in allowed]
        rows = rows[offset or 0 :]
        if limit is not None:
            rows = rows[:limit]
        result: dict[str, Any] = {"ids": [self._ids[r] for r in rows]}
        for key in ("documents", "metadatas", "embeddings"):
            result[key] = self._field(key, rows) if key in include else None
        return result

    def peek(self, limit: int = 10) -> dict[str, Any]:
        return self.get(limit=limit)

    def query(
        self,
        query_embeddings: Sequence[Sequence[float]] | None = None,
        query_texts: str | Sequence[str] | None = None,
        n_results: int = 10,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
        include: Sequence[str] = _INCLUDE_DEFAULT_QUERY,
        **_: Any,
    ) -> dict[str, Any]:
        if (query_embeddings is None) == (query_texts is None):
            raise VectorStoreError("query needs exactly one of query_texts or query_embeddings")
        if query_texts is not None:
            query_embeddings = self._embed(_as_list(query_texts))
        queries = np.asarray(query_embeddings, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        rows = np.asarray(self._filtered_rows(where, where_document), dtype=np.int64)
        result: dict[str, Any] = {
            key: [] for key in ("ids", "documents", "metadatas", "distances", "embeddings")
        }
        for vector in queries:
            chosen, distances = self._nearest(vector, rows, max(0, int(n_results)))
            result["ids"].append([self._ids[r] for r in chosen])
            result["distances"].append([float(d) for d in distances])
            for key in ("documents", "metadatas", "embeddings"):
                result[key].append(self._field(key, chosen))
        for key in ("documents", "metadatas", "distances", "embeddings"):
            if key not in include:
                result[key] = None
        return result

    def delete(
        self,
        ids: str | Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        rows = self._filtered_rows(where, where_document)
        if ids is not None:
            wanted = {self._index[i] for i in _as_list(ids) if i in self._index}
            rows = [r for r in rows if r in wanted]
        self._delete_ids([self._ids[r] for r in rows])

    def _store(
        self,
        ids: list[str],
        embeddings: Any,
        metadatas: Any,
        documents: Any,
    ) -> None:
        if not ids:
            return
        docs = _as_list(documents) if documents is not None else [None] * len(ids)
        metas = _as_list(metadatas) if metadatas is not None else [None] * len(ids)
        if len(docs) != len(ids) or len(metas) != len(ids):
            raise VectorStoreError("ids, documents and metadatas must have the same length")
        if embeddings is None:
            if any(d is None for d in docs):
                raise VectorStoreError("each record needs a document or an embedding")
            embeddings = self._embed([str(d) for d in docs])
        vectors = np.asarray(embeddings, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(ids):
            raise VectorStoreError("embeddings must be one vector per id")
        self._append_vectors(vectors)
        for offset, record_id in enumerate(ids):
            self._index[str(record_id)] = len(self._ids)
            self._ids.append(str(record_id))
            self._documents.append(None if docs[offset] is None else str(docs[offset]))
            self._metadatas.append(dict(metas[offset]) if metas[offset] else None)

    def _append_vectors(self, vectors: np.ndarray) -> None:
        used = len(self._ids)
        if used == 0:
            self._buffer = np.zeros((max(16, len(vectors)), vectors.shape[1]), dtype=np.float32)
        elif vectors.shape[1] != self._buffer.shape[1]:
            raise VectorStoreError(
                f"embedding dimension {vectors.shape[1]} does not match "
                f"the collection's {self._buffer.shape[1]}"
            )
        if used + len(vectors) > self._buffer.shape[0]:
            grown = np.zeros(
                (max(2 * self._buffer.shape[0], used + len(vectors)), vectors.shape[1]), np.float32
            )
            grown[:used] = self._buffer[:used]
            self._buffer = grown
        self._buffer[used : used + len(vectors)] = vectors
        self._norms_cache = None

    def _delete_ids(self, ids: list[str]) -> None:
        drop = {self._index[i] for i in ids if i in self._index}
        if not drop:
            return
        keep = [r for r in range(len(self._ids)) if r not in drop]
        kept_vectors = self._vectors[keep]
        self._buffer = np.zeros((max(16, len(keep)), self._buffer.shape[1]), dtype=np.float32)
        self._buffer[: len(keep)] = kept_vectors
        self._norms_cache = None
        self._ids = [self._ids[r] for r in keep]
        self._documents = [self._documents[r] for r in keep]
        self._metadatas = [self._metadatas[r] for r in keep]
        self._index = {record_id: row for row, record_id in enumerate(self._ids)}

    def _squared_norms(self) -> np.ndarray:
        """Squared row norms, computed once per change of the store rather than once per query."""
        if self._norms_cache is None or len(self._norms_cache) != len(self._ids):
            self._norms_cache = np.einsum("ij,ij->i", self._vectors, self._vectors)
        return self._norms_cache

    def _filtered_rows(
        self, where: dict[str, Any] | None, where_document: dict[str, Any] | None
    ) -> list[int]:
        return [
            row
            for row in range(len(self._ids))
            if (not where or _matches_where(self._metadatas[row] or {}, where))
            and (not where_document or _matches_document(self._documents[row] or "", where_document))
        ]

    def _nearest(self, vector: np.ndarray, rows: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
        if rows.size == 0 or k == 0:
            return [], np.zeros(0)
        # One matrix-vector product over the whole store (a view, no copy), then pick the filtered rows.
        products = (self._vectors @ vector)[rows]
        squared = self._squared_norms()[rows]
        if self._space == "cosine":
            norms = np.sqrt(squared) * (np.linalg.norm(vector) or 1.0)
            distances = 1.0 - products / np.where(norms == 0, 1.0, norms)
        elif self._space == "ip":
            distances = 1.0 - products
        else:
            distances = np.maximum(squared - 2.0 * products + float(vector @ vector), 0.0)
        k = min(k, rows.size)
        top = np.argpartition(distances, k - 1)[:k] if k < rows.size else np.arange(rows.size)
        # Stable order: by distance, then by insertion, so equal scores never reorder between runs.
        order = top[np.lexsort((rows[top], distances[top]))]
        return [int(r) for r in rows[order]], distances[order]

    def _field(self, key: str, rows: Sequence[int]) -> list[Any]:
        if key == "documents":
            return [self._documents[r] for r in rows]
        if key == "metadatas":
            return [self._metadatas[r] for r in rows]
        return [self._vectors[r].tolist() for r in rows]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str | dict):
        return [value]
    return list(value)


def _repeated(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return [i for i in ids if i in seen or seen.add(i)]


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: a is not None and a > b,
    "$gte": lambda a, b: a is not None and a >= b,
    "$lt": lambda a, b: a is not None and a < b,
    "$lte": lambda a, b: a is not None and a <= b,
    "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b,
}


def _matches_where(metadata: Metadata, where: dict[str, Any]) -> bool:
    for key, condition in where.items():
        if key == "$and":
            if not all(_matches_where(metadata, c) for c in condition):
                return False
        elif key == "$or":
            if not any(_matches_where(metadata, c) for c in condition):
                return False
        elif isinstance(condition, dict):
            for operator, operand in condition.items():
                if operator not in _COMPARISONS:
                    raise VectorStoreError(f"unsupported where operator {operator!r}")
                try:
                    if not _COMPARISONS[operator](metadata.get(key), operand):
                        return False
                except TypeError:
                    return False
        elif metadata.get(key) != condition:
            return False
    return True


def _matches_document(document: str, where_document: dict[str, Any]) -> bool:
    for operator, operand in where_document.items():
        if operator == "$contains":
            ok = operand in document
        elif operator == "$not_contains":
            ok = operand not in document
        elif operator == "$and":
            ok = all(_matches_document(document, c) for c in operand)
        elif operator == "$or":
            ok = any(_matches_document(document, c) for c in operand)
        else:
            raise VectorStoreError(f"unsupported where_document operator {operator!r}")
        if not ok:
            return False
    return True
