"""Text helpers."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens, ``"item"`` when none is left.

    ``slugify("Crème brûlée!")`` is ``"creme-brulee"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"
