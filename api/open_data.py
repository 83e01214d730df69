"""The public records as open data: one JSON Lines file per kind of record, with the
read API's field names, a JSON Schema describing them and an index, written by
`manage.py export_open_data` and offered from the site's footer.

Written into a fresh folder beside the target and moved into place file by file,
so the site never offers a half-written file; rows are read in chunks, so memory
stays flat at a million milestones.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from agreements import search
from agreements.models import CooperationArea, Milestone
from partners.models import Agency

from . import serializers

CHUNK = 2000
FILES = {
    "agreements.jsonl": "Agreement",
    "milestones.jsonl": "Milestone",
    "agencies.jsonl": "Agency",
    "areas.jsonl": "Area",
}
INDEX = "index.json"
SCHEMA = "schema.json"


def open_data_dir() -> Path:
    return Path(settings.ACCORDS_OPEN_DATA_DIR or Path(settings.MEDIA_ROOT) / "open-data")


def public_request():
    """An anonymous request to the site's public address, for absolute links."""
    base = settings.ACCORDS_BASE_URL
    scheme, _, host = base.partition("://")
    request = APIRequestFactory().get("/", HTTP_HOST=host, secure=scheme == "https")
    request.user = AnonymousUser()
    return Request(request)


def records():
    """(file name, serializer, queryset) for each file: what anyone may see."""
    from .views import agreements_with_parties, whole_agreement

    anonymous = AnonymousUser()
    agreements = (
        agreements_with_parties(anonymous)
        .prefetch_related(*whole_agreement(anonymous))
        .order_by("reference")
    )
    milestones = Milestone.objects.for_report(user=anonymous).select_related("agreement")
    return [
        ("agreements.jsonl", serializers.AgreementSerializer, search.without_documents(agreements)),
        ("milestones.jsonl", serializers.MilestoneSerializer,
         search.without_documents(milestones).order_by("pk")),
        ("agencies.jsonl", serializers.AgencySerializer,
         search.without_documents(Agency.objects.select_related("parent")).order_by("slug")),
        ("areas.jsonl", serializers.AreaSerializer, CooperationArea.objects.order_by("slug")),
    ]  # fmt: skip


def json_schema(generated_at: str) -> dict:
    """JSON Schema (2020-12) of every file's lines, from the API's own OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    openapi = SchemaGenerator().get_schema(request=None, public=True)
    definitions = as_json_schema(openapi["components"]["schemas"])
    text = json.dumps(definitions).replace("#/components/schemas/", "#/$defs/")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{settings.ACCORDS_BASE_URL}/open-data/{SCHEMA}",
        "title": "Accords open data",
        "description": (
            "Each file is JSON Lines: one JSON object per line, described by the $defs "
            "entry named for the file in x-files. Field names are the read API's."
        ),
        "x-files": {name: f"#/$defs/{definition}" for name, definition in FILES.items()},
        "x-generated-at": generated_at,
        "$defs": json.loads(text),
    }


def as_json_schema(node):
    """OpenAPI 3.0's schema dialect to JSON Schema's: `nullable: true` becomes "or null",
    and drf-spectacular's oneOf (never meant as "exactly one") anyOf."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if "oneOf" in node:  # "a web address or empty": both match "" unless formats assert
        node["anyOf"] = node.pop("oneOf")
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:  # a reference or a combination: either it, or null
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def export(target: Path) -> dict:
    """Write every file into `target`; returns the index (counts, sizes, SHA-256)."""
    target.mkdir(parents=True, exist_ok=True)
    request = public_request()
    context = {"request": request, "staff": False}
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    staging = Path(tempfile.mkdtemp(prefix=".open-data-", dir=target))
    try:
        index = {"generated_at": generated_at, "files": {}}
        for name, serializer_class, queryset in records():
            path, count = staging / name, 0
            # One serializer for every row: DRF copies a serializer's fields each time one
            # is made, which cost more than the rows themselves.
            serializer = serializer_class(context=context)
            with path.open("w", encoding="utf-8") as out:
                # An agreement brings its milestones along: fewer of them at a time.
                chunk = CHUNK // 4 if name == "agreements.jsonl" else CHUNK
                for record in queryset.iterator(chunk_size=chunk):
                    data = serializer.to_representation(record)
                    out.write(json.dumps(data, ensure_ascii=False, default=str))
                    out.write("\n")
                    count += 1
            index["files"][name] = {"records": count, **fingerprint(path)}
        schema_path = staging / SCHEMA
        schema_path.write_text(
            json.dumps(json_schema(generated_at), ensure_ascii=False, indent=1), "utf-8"
        )
        index["files"][SCHEMA] = fingerprint(schema_path)
        (staging / INDEX).write_text(json.dumps(index, indent=1), "utf-8")
        for name in [*FILES, SCHEMA, INDEX]:  # the index last: it vouches for the rest
            os.replace(staging / name, target / name)
        return index
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fingerprint(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def published_index() -> dict | None:
    try:
        index = json.loads((open_data_dir() / INDEX).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    index["generated"] = datetime.datetime.fromisoformat(index["generated_at"])
    return index
