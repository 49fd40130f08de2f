"""Read license texts and their metadata from ScanCode's LicenseDB, as installed with scancode-toolkit-mini.

The texts are never copied into this repository: they are read from the installed package at index time.
Reading the `.LICENSE` files directly needs no import of scancode itself (which is slow and plugin-heavy).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from assistant.yamlio import load_yaml

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.+_-]*$")
LICENSEDB_URL = "https://scancode-licensedb.aboutcode.org/{key}.html"


class UnknownLicenseError(KeyError):
    """A license key that the installed LicenseDB does not have; carries the closest known keys."""

    def __init__(self, key: str, suggestions: list[str]):
        self.key = key
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown license key {key!r}: it is not in ScanCode's LicenseDB.{hint}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


@dataclass(frozen=True)
class LicenseRecord:
    """One LicenseDB entry: its front matter and its exact text."""

    key: str
    name: str
    short_name: str
    category: str
    owner: str
    homepage_url: str | None
    spdx_license_key: str | None
    text_urls: tuple[str, ...]
    text: str = field(repr=False)

    @property
    def source_url(self) -> str:
        """Where a reader can see the text: the license's own text URL if known, else its LicenseDB page."""
        if self.text_urls:
            return self.text_urls[0]
        return self.homepage_url or self.licensedb_url

    @property
    def licensedb_url(self) -> str:
        return LICENSEDB_URL.format(key=self.key)


def licenses_dir() -> Path:
    return Path(str(resources.files("licensedcode").joinpath("data/licenses")))


@lru_cache(maxsize=1)
def licensedb_version() -> str:
    """The LicenseDB version is the scancode-toolkit release that ships it."""
    for dist in ("scancode-toolkit-mini", "scancode-toolkit"):
        try:
            return f"{dist} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


@lru_cache(maxsize=1)
def license_keys() -> tuple[str, ...]:
    return tuple(sorted(p.name[: -len(".LICENSE")] for p in licenses_dir().glob("*.LICENSE")))


def close_matches(key: str, n: int = 3) -> list[str]:
    key = (key or "").strip().lower()
    keys = license_keys()
    found = difflib.get_close_matches(key, keys, n=n, cutoff=0.6)
    if len(found) < n:
        found += [k for k in keys if key and key in k and k not in found][: n - len(found)]
    return found


def split_front_matter(raw: str) -> tuple[dict, str]:
    """Split a `.LICENSE` file into its YAML front matter and its text.

    The text is everything after the closing `---` line, without the blank lines that separate it from the
    front matter and without trailing whitespace. Offsets everywhere in this project index into that text.
    """
    if not raw.startswith("---"):
        return {}, raw.strip("\n").rstrip()
    # split on the first line that is exactly '---' after the opening one, not on '---' inside the text
    m = re.match(r"---\n(.*?)\n---\n?(.*)\Z", raw, re.S)
    if not m:
        return {}, raw.strip("\n").rstrip()
    meta = load_yaml(m.group(1)) or {}
    body = m.group(2)
    return meta, body.lstrip("\n").rstrip()


@lru_cache(maxsize=4096)
def load_license(key: str) -> LicenseRecord:
    """The LicenseDB entry for `key`. Raises UnknownLicenseError (with close matches) for an unknown or unsafe key."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or key not in license_keys():
        raise UnknownLicenseError(str(key), close_matches(str(key)))
    raw = (licenses_dir() / f"{key}.LICENSE").read_text(encoding="utf-8")
    meta, text = split_front_matter(raw)
    return LicenseRecord(
        key=key,
        name=str(meta.get("name") or meta.get("short_name") or key),
        short_name=str(meta.get("short_name") or meta.get("name") or key),
        category=str(meta.get("category") or "Unstated License"),
        owner=str(meta.get("owner") or "Unspecified"),
        homepage_url=meta.get("homepage_url"),
        spdx_license_key=meta.get("spdx_license_key"),
        text_urls=tuple(meta.get("text_urls") or ()),
        text=text,
    )
