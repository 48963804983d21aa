"""A `sha256sum`-format checksum file over a model directory, and its verification."""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST_FILE = "checksum.sha256"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(model_dir: Path) -> Path:
    """Checksum every regular file in the directory (not sub-folders) except the manifest itself."""
    lines = [
        f"{sha256_file(path)}  {path.name}\n"
        for path in sorted(model_dir.iterdir())
        if path.is_file() and path.name != MANIFEST_FILE
    ]
    manifest = model_dir / MANIFEST_FILE
    manifest.write_text("".join(lines), encoding="utf-8")
    return manifest


def verify_manifest(model_dir: Path, *, required: tuple[str, ...] = ()) -> list[str]:
    """Problems found, in words; empty when every listed file is present and matches and none is missing."""
    manifest = model_dir / MANIFEST_FILE
    if not manifest.is_file():
        return [f"{manifest} is missing"]
    problems: list[str] = []
    listed: set[str] = set()
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or "/" in name:
            problems.append(f"{manifest.name} line {number} is malformed")
            continue
        listed.add(name)
        path = model_dir / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name} does not match its checksum")
    problems.extend(f"{name} is not in {manifest.name}" for name in required if name not in listed)
    return problems
