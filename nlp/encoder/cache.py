"""A resumable on-disk cache of text embeddings: chunks of rows keyed by a hash of the text they embed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

META_FILE = "meta.json"
KEY_BYTES = 16

EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.floating]]


def text_key(text: str) -> bytes:
    """The cache key of one text: its first 16 bytes of SHA-256 (collisions are not a practical concern)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:KEY_BYTES]


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """What the vectors mean; a cache refuses rows from a different encoder, prefix or width."""

    encoder: str
    prefix: str
    dim: int

    def as_dict(self) -> dict[str, str | int]:
        return {"encoder": self.encoder, "prefix": self.prefix, "dim": self.dim}


class EmbeddingCache:
    """Rows live in `chunk-NNNNN.npz` files (keys, source file name, vectors), each written atomically.

    A killed run loses at most the chunk it was embedding; the next run loads what is there and embeds only
    texts whose key is missing, so a changed corpus file re-embeds only its new texts.
    """

    def __init__(self, directory: Path, info: CacheInfo, *, dtype: type[np.floating] = np.float16) -> None:
        self.directory = Path(directory)
        self.info = info
        self.dtype = dtype
        self.directory.mkdir(parents=True, exist_ok=True)
        check_meta(self.directory, self.info.as_dict(), what="embeddings")
        self._rows: dict[bytes, tuple[int, int]] = {}  # key -> (chunk number, row)
        self._chunks: dict[int, npt.NDArray[np.floating]] = {}
        for number, path in self._chunk_paths():
            with np.load(path, allow_pickle=False) as arrays:
                keys = arrays["keys"]
                self._chunks[number] = arrays["vectors"]
            for row, key in enumerate(keys):
                self._rows.setdefault(bytes(key), (number, row))

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, text: str) -> bool:
        return text_key(text) in self._rows

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Texts with no cached row, first occurrence only, in the order given."""
        seen: set[bytes] = set()
        out: list[str] = []
        for text in texts:
            key = text_key(text)
            if key not in self._rows and key not in seen:
                seen.add(key)
                out.append(text)
        return out

    def fill(
        self,
        texts: Sequence[str],
        embed: EmbedFn,
        *,
        sources: Sequence[str] | None = None,
        chunk_size: int = 256,
        on_chunk: Callable[[int, int], None] | None = None,
    ) -> int:
        """Embed and store every text not yet cached, `chunk_size` at a time; returns how many were added.

        `sources` (one file name per text) is stored beside each row for provenance only: lookups are by
        text. `on_chunk(done, total)` is called after each chunk is on disk.
        """
        if sources is not None and len(sources) != len(texts):
            raise ValueError("sources must have one entry per text")
        source_of = dict(zip(texts, sources, strict=True)) if sources is not None else {}
        todo = self.missing(texts)
        next_number = max(self._chunks, default=-1) + 1
        for start in range(0, len(todo), chunk_size):
            part = todo[start : start + chunk_size]
            vectors = np.asarray(embed(part))
            if vectors.shape != (len(part), self.info.dim):
                raise ValueError(f"embed returned {vectors.shape}, expected {(len(part), self.info.dim)}")
            self._write_chunk(next_number, part, [source_of.get(t, "") for t in part], vectors)
            next_number += 1
            if on_chunk is not None:
                on_chunk(start + len(part), len(todo))
        return len(todo)

    def get(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """float32 rows for `texts` (zeros where missing) and a mask of which were found."""
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        for i, text in enumerate(texts):
            where = self._rows.get(text_key(text))
            if where is not None:
                out[i] = self._chunks[where[0]][where[1]]
                found[i] = True
        return out, found

    def _write_chunk(
        self, number: int, texts: Sequence[str], sources: Sequence[str], vectors: npt.NDArray[np.floating]
    ) -> None:
        keys = np.frombuffer(b"".join(text_key(t) for t in texts), dtype=np.uint8).reshape(-1, KEY_BYTES)
        stored = vectors.astype(self.dtype)
        path = self.directory / f"chunk-{number:05d}.npz"
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, sources=np.asarray(sources, dtype=str), vectors=stored)
        os.replace(tmp, path)  # atomic: a chunk is either whole or absent
        self._chunks[number] = stored
        for row, key in enumerate(keys):
            self._rows.setdefault(bytes(key), (number, row))

    def _chunk_paths(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.directory.glob("chunk-*.npz"):
            stem = path.name.removeprefix("chunk-").removesuffix(".npz")
            if stem.isdigit():
                found.append((int(stem), path))
        return sorted(found)


def check_meta(directory: Path, wanted: dict[str, Any], *, what: str) -> None:
    """Write the cache's description on first use; refuse a directory that describes other rows."""
    meta = directory / META_FILE
    if meta.is_file():
        stored = json.loads(meta.read_text(encoding="utf-8"))
        if stored != wanted:
            raise ValueError(f"{directory} holds {what} of {stored}, not {wanted}")
    else:
        meta.write_text(json.dumps(wanted, ensure_ascii=False) + "\n", encoding="utf-8")


def query_cache(root: Path, encoder: str, *, dim: int = 384) -> EmbeddingCache:
    """The cache of one encoder's "query: " embeddings: <root>/<encoder>-query/."""
    return EmbeddingCache(
        Path(root) / f"{encoder}-query", CacheInfo(encoder=encoder, prefix="query: ", dim=dim)
    )
