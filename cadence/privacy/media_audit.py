"""Finding stored files that no row refers to (orphaned media), for the `orphaned_media` command.

Every `FileField` of every installed model is asked for the names it holds; every file under
MEDIA_ROOT that none of them names, and that is older than a safety margin (an upload is written to
storage a moment before its row commits), is an orphan.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Orphan:
    name: str  # relative to MEDIA_ROOT, with forward slashes, as a FileField stores it
    size: int


def file_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model is model:
                yield model, field.name


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model, field_name in file_fields():
        rows = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        names.update(rows.values_list(field_name, flat=True).iterator(chunk_size=2000))
    return names


def stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for filename in files:
            path = Path(folder) / filename
            if path.is_symlink():
                continue  # never follow a link out of the media folder
            yield path.relative_to(root).as_posix(), path


def find_orphans(root: Path, *, older_than: datetime) -> list[Orphan]:
    referenced = referenced_names()
    cutoff = older_than.timestamp()
    orphans = []
    for name, path in stored_files(root):
        stat = path.stat()
        if name not in referenced and stat.st_mtime < cutoff:
            orphans.append(Orphan(name=name, size=stat.st_size))
    return sorted(orphans, key=lambda o: o.name)


def remove(root: Path, orphans: list[Orphan]) -> int:
    """Delete the orphans (checking again that each is still unreferenced), then empty folders left behind."""
    still_referenced = referenced_names()
    removed = 0
    for orphan in orphans:
        if orphan.name in still_referenced:
            continue
        path = root / orphan.name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
    for folder, _dirs, _files in os.walk(root, topdown=False):
        if Path(folder) != root:
            with contextlib.suppress(OSError):  # not empty (or written to meanwhile): it stays
                Path(folder).rmdir()
    return removed
