"""Names and job titles read from display names and signatures; snippets without quotes or signatures.
Pure: no database."""

from __future__ import annotations

import re

SIGNATURE_START = re.compile(
    r"^(-- ?|__+|best regards|kind regards|regards|many thanks|thanks|cheers|sent from my)\b", re.I
)
QUOTE_START = re.compile(r"^(>|on .+ wrote:$|-+ ?original message ?-+|from: .+)", re.I)
TITLE_WORDS = re.compile(
    r"\b(director|officer|head|chief|manager|partner|counsel|president|chair|ceo|cfo|coo|cto|cio|gc|vp|"
    r"vice|secretary|treasurer|controller|lead|analyst|associate|founder|owner|principal|general)\b",
    re.I,
)


def person_name(display: str, address: str) -> str:
    """ "Smith, Jane" → "Jane Smith"; no display name → from the address (jane.smith@ → Jane Smith)."""
    display = " ".join((display or "").replace('"', "").split())
    if "," in display:
        last, _, first = display.partition(",")
        display = f"{first.strip()} {last.strip()}".strip()
    if display and "@" not in display:
        return display[:150]
    local = address.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-+]+", local) if p.isalpha()]
    return " ".join(p.capitalize() for p in parts)[:150] or address[:150]


def title_from_signature(text: str, name: str) -> str:
    """The line under the person's name in their signature, when it reads like a job title."""
    if not text or not name:
        return ""
    lines = [line.strip() for line in text.splitlines()]
    wanted = name.lower()
    for index, line in enumerate(lines):
        if line.lower().strip(" ,") != wanted:
            continue
        for candidate in lines[index + 1 : index + 3]:
            if not candidate:
                continue
            readable = len(candidate) <= 80 and "@" not in candidate and not re.search(r"\d{3}", candidate)
            if readable and TITLE_WORDS.search(candidate):
                return candidate[:150]
            break
    return ""


def snippet(text: str, limit: int = 300) -> str:
    """The message's own first lines: quoted replies, forwarded blocks and the signature cut off."""
    kept = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        if SIGNATURE_START.match(stripped) or QUOTE_START.match(stripped):
            break
        if stripped:
            kept.append(stripped)
    return " ".join(" ".join(kept).split())[:limit]
