"""Telling a reply without observation values (``detail=nodata``) from data.

Such a reply's observations hold attribute indexes where the value would be
(``"0:0": [0]``: OBS_STATUS index 0), so read as data it gives a series of small
integers. The body alone cannot say so: an observation array is ``[value, observation
attribute indexes…, annotation indexes…]`` with trailing attributes that are unset or
default left out, so its length does not count the attributes (the specification's
``agri.json`` sends ``[value]`` with two observation attributes declared, its
``constructed-sample-full.json`` sends ``[value, 0, 0]`` with one, and the nodata data set
of that sample has ``[0, 0]``, as long as a full observation), and an integer first
element is an ordinary figure (the .Stat Suite aircraft counts). So a reply is refused
only when something says it has no values:

- the query asks for none: ``detail=nodata`` (SDMX REST 1.x) or ``measures=none``
  (SDMX REST 2.x, whose default format is SDMX-JSON 2.0), in the configured URL or in
  the message's own links to its query (``rel`` ``request``, or ``self`` at message level,
  as ``agri.json`` names it; SDMX-JSON 1.0 ``header.request.uri``);
- or the structure of an SDMX-JSON 2.0 message declares no observation measure
  (``structure.measures.observation`` an empty list).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

_QUERY_LINKS = frozenset({"request", "self"})


def request_urls(document: Any, options: Mapping[str, Any]) -> list[str]:
    """The query URL configured and those the message names as the query it answers."""
    urls = [str(options.get("url") or "")]
    for head in ("meta", "header"):
        node = document.get(head) if isinstance(document, Mapping) else None
        if not isinstance(node, Mapping):
            continue
        links = node.get("links")
        for link in links if isinstance(links, list) else []:
            if isinstance(link, Mapping) and str(link.get("rel") or "").lower() in _QUERY_LINKS:
                urls.append(str(link.get("href") or ""))
        request = node.get("request")
        if isinstance(request, Mapping):
            urls.append(str(request.get("uri") or ""))
    return urls


def asked_no_values(url: str) -> str | None:
    """The parameter (``detail=nodata``, ``measures=none``) by which ``url`` asks for no values."""
    query = parse_qs(urlsplit(url).query)
    for key, values in query.items():
        given = {v.strip().lower() for value in values for v in value.split(",")}
        if key.lower() == "detail" and "nodata" in given:
            return "detail=nodata"
        if key.lower() == "measures" and "none" in given:
            return "measures=none"
    return None


def declares_no_measure(structure: Any) -> bool:
    """Whether an SDMX-JSON 2.0 structure says its observations carry no measure."""
    measures = structure.get("measures") if isinstance(structure, Mapping) else None
    return isinstance(measures, Mapping) and measures.get("observation") == []


def no_values_reason(document: Any, options: Mapping[str, Any], structures: list[Any]) -> str:
    """Why the reply holds no observation values and what to do, or "" when nothing says so."""
    for url in request_urls(document, options):
        if asked := asked_no_values(url):
            return f"({asked}): its observations hold attributes only; drop {asked} from the query"
    if any(declares_no_measure(s) for s in structures):
        return (
            "(its structure declares no measure: measures.observation is []): its "
            "observations hold attributes only; ask for the data (detail=full, measures=all)"
        )
    return ""
