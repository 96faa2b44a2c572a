"""A real JSON-LD processor (pyld) with a document loader that never touches the network.

schema.org's context is served from here: `@vocab` schema.org plus the properties that its
published context types as IRIs. Any other remote document fails the test."""

from __future__ import annotations

from typing import Any

from pyld import jsonld

SCHEMA = "http://schema.org/"
SCHEMA_CONTEXT = {
    "@context": {
        "@vocab": SCHEMA,
        "schema": SCHEMA,
        "url": {"@id": "schema:url", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    }
}
LOADED: list[str] = []


def offline_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    LOADED.append(url)
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": SCHEMA_CONTEXT,
        }
    raise AssertionError(f"The JSON-LD processor tried to load {url}: no network in tests.")


def expand(document: Any) -> list[dict]:
    return jsonld.expand(document, {"documentLoader": offline_loader})


def nodes_of_type(expanded: list[dict], type_name: str) -> list[dict]:
    """Every node (at any depth) whose @type is schema.org's `type_name`."""
    found = []

    def walk(value):
        if isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            if SCHEMA + type_name in value.get("@type", []):
                found.append(value)
            for key, v in value.items():
                if key != "@type":
                    walk(v)

    walk(expanded)
    return found


def values(node: dict, prop: str) -> list:
    return node.get(SCHEMA + prop, [])


def value(node: dict, prop: str):
    """The single literal value (or IRI, or node) of a property."""
    found = values(node, prop)
    assert len(found) == 1, f"{prop}: expected one value, got {found!r}"
    item = found[0]
    if "@value" in item:
        return item["@value"]
    if set(item) == {"@id"}:
        return item["@id"]
    return item
