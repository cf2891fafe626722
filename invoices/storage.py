"""Access to the two file stores: raw originals and processed results (JSON, page images).

Both are Django storages (``STORAGES['raw']`` and ``STORAGES['processed']``): S3 with SSE-KMS in production,
local folders on the embedded defaults, a moto S3 server in tests.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}


def raw_storage() -> Storage:
    return storages["raw"]


def processed_storage() -> Storage:
    return storages["processed"]


def original_key(invoice_id: str, kind: str, when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    return f"originals/{when:%Y/%m/%d}/{invoice_id}.{EXTENSIONS[kind]}"


def save_original(*, invoice_id: str, kind: str, data: bytes) -> str:
    return raw_storage().save(original_key(invoice_id, kind), ContentFile(data))


def read_original(name: str) -> bytes:
    with raw_storage().open(name, "rb") as handle:
        return handle.read()


def delete_original(name: str) -> None:
    raw_storage().delete(name)


def save_result(*, invoice_id: str, attempt_id: int, result: dict[str, Any]) -> str:
    """Store one extraction result; each attempt keeps its own file, so reprocessing keeps the history."""
    body = json.dumps(result, ensure_ascii=False, indent=1, sort_keys=False).encode()
    return processed_storage().save(f"results/{invoice_id}/{attempt_id}.json", ContentFile(body))


def read_result(name: str) -> dict[str, Any]:
    with processed_storage().open(name, "rb") as handle:
        return json.loads(handle.read())


def save_page_image(*, invoice_id: str, page: int, data: bytes, suffix: str = "png") -> str:
    name = f"pages/{invoice_id}/{page}.{suffix}"
    storage = processed_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))
