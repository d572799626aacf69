"""The postcode question keeps a district only (`CF10`, never `12 High Street, CF10 1AA`).

`district_of` reads what a person typed: a full postcode (with or without its space) gives its
outward code; otherwise a lone district (`cf10`, `SW1A`) is taken. Only districts of real UK
postcode areas count (storage.vocabulary), so `A1 road` or `M25` typed about something else
mostly give nothing. Nothing found gives None, stored as `not_given`.
"""

from __future__ import annotations

import re

from storage.vocabulary import is_district

# Uppercased text; a postcode is not part of a longer run of letters and digits.
_FULL = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})(?![A-Z0-9])")
_DISTRICT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][0-9A-Z]?)(?![A-Z0-9])")


def district_of(text: str) -> str | None:
    upper = " ".join(text.upper().split())
    for pattern in (_FULL, _DISTRICT):
        for match in pattern.finditer(upper):
            if is_district(match.group(1)):
                return match.group(1)
    return None
