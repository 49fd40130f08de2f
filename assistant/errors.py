"""Turn the errors a user can cause or meet into one clear sentence for the CLI and the UI."""

from __future__ import annotations


def user_message(exc: BaseException) -> str | None:
    """The message to show for a known error, or None for a bug (which should surface as one)."""
    from assistant.index import IndexBuildError
    from assistant.licensedb import UnknownLicenseError
    from assistant.search import SearchError
    from assistant.store import StoreError

    known: tuple[type[BaseException], ...] = (IndexBuildError, UnknownLicenseError, SearchError, StoreError)
    from assistant.catalog import CorpusError
    from assistant.identify import IdentifyInputError
    from assistant.user_text import LicenseTextError

    known += (CorpusError, IdentifyInputError, LicenseTextError)
    if isinstance(exc, known):
        return str(exc)
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError)):
        return str(exc)
    return None
