"""A CycloneDX ML-BOM of a scan: one `machine-learning-model` component per model, with its licenses, where it
was found and the verdict for the use profile (written with cyclonedx-python-lib, validated with its validator)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

BOM_PROPERTY_PREFIX = "license-assistant"


def _license(key: str) -> Any:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense
    from cyclonedx.spdx import is_supported_id

    from assistant.licensedb import load_license

    try:
        rec = load_license(key)
    except KeyError:
        return DisjunctiveLicense(name=f"LicenseRef-scancode-{key}")
    spdx = rec.spdx_license_key
    if spdx and is_supported_id(spdx):
        return DisjunctiveLicense(id=spdx, url=XsUri(rec.licensedb_url))
    # not an SPDX license: ScanCode's LicenseRef, named, with the LicenseDB page
    return DisjunctiveLicense(name=spdx or f"LicenseRef-scancode-{key}", url=XsUri(rec.licensedb_url))


def _purl(row: dict) -> Any:
    from packageurl import PackageURL

    model = row["model"]
    if row.get("kind") == "huggingface" or row.get("kind") == "hf_cache":
        if "/" in model:
            ns, name = model.split("/", 1)
            return PackageURL(type="huggingface", namespace=ns, name=name, version=row.get("revision"))
    return None


def build_bom(rows: Sequence[dict], profile_summary: str = "") -> Any:
    """A cyclonedx Bom from scan rows (the dicts `--format json` prints)."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType

    bom = Bom()
    if profile_summary:
        bom.metadata.properties.add(Property(name=f"{BOM_PROPERTY_PREFIX}:profile", value=profile_summary))
    seen: set[str] = set()
    for i, row in enumerate(rows):
        ref = f"model-{i + 1}"
        props = [
            Property(name=f"{BOM_PROPERTY_PREFIX}:verdict", value=row["verdict"]),
            Property(name=f"{BOM_PROPERTY_PREFIX}:status", value=row.get("status", "")),
            Property(name=f"{BOM_PROPERTY_PREFIX}:source", value=row.get("kind", "")),
        ]
        for loc in row.get("found_in", []):
            props.append(Property(name=f"{BOM_PROPERTY_PREFIX}:found_in", value=f"{loc['file']}:{loc['line']}"))
        for chain in row.get("chains", []):
            props.append(Property(name=f"{BOM_PROPERTY_PREFIX}:chain", value=chain))
        comp = Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            name=row["model"],
            version=row.get("revision") or None,
            bom_ref=ref if ref not in seen else None,
            licenses=[_license(k) for k in row.get("licenses", [])],
            purl=_purl(row),
            properties=props,
        )
        seen.add(ref)
        bom.components.add(comp)
    return bom


def to_json(bom: Any) -> str:
    from cyclonedx.output.json import JsonV1Dot6

    return JsonV1Dot6(bom).output_as_string(indent=2)


def validate(text: str) -> str | None:
    """None when `text` is a valid CycloneDX 1.6 JSON document, else the validator's message."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    return None if err is None else str(err)


def bom_json(rows: Sequence[dict], profile_summary: str = "") -> str:
    text = to_json(build_bom(rows, profile_summary))
    json.loads(text)
    return text
