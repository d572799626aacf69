"""Closed vocabularies: the only values that may become keys of the anonymous totals.

Erasure keeps counters (storage.privacy.erasure_totals) so coordinators keep their totals after
a person is deleted. A counter key outlives the person, so it must never hold their own words:
only option ids (flow data, `[a-z0-9_]`), small numbers and UK postcode districts validated as
such are kept; anything else is counted as `other`.
"""

from __future__ import annotations

import re

# Every UK postcode area (the letters before the first digit), Crown dependencies included.
POSTCODE_AREAS = frozenset(
    {
        "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF",
        "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
        "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG",
        "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L",
        "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN",
        "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S",
        "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA",
        "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR",
        "WS", "WV", "YO", "ZE",
    }
)

# A district (outward code): area letters, a digit, then an optional digit or letter.
DISTRICT = re.compile(r"([A-Z]{1,2})([0-9][0-9A-Z]?)")
_OPTION_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
OTHER = "other"


def is_district(value: str) -> bool:
    """True for a postcode district as Heard stores it (`CF10`, `SW1A`, `M1`)."""
    match = DISTRICT.fullmatch(value)
    return match is not None and match.group(1) in POSTCODE_AREAS


def closed_value(value: str) -> str:
    """`value` when it belongs to a closed vocabulary (an option id, a number, a district),
    else `other`."""
    if _OPTION_ID.fullmatch(value) or is_district(value):
        return value
    return OTHER


# Profile fields that hold a postcode district only (flows/about_you.yaml `q_area`). The host
# stores the district it finds in the answer, or NOT_GIVEN (bot.service.postcode).
POSTCODE_FIELDS = frozenset({"area"})
NOT_GIVEN = "not_given"
SKIPPED = "prefer_not_to_say"


def profile_total_value(field: str, value: str) -> str:
    """The value a profile answer is counted under after erasure."""
    if field in POSTCODE_FIELDS:
        return value if value in (NOT_GIVEN, SKIPPED) or is_district(value) else OTHER
    return closed_value(value)
