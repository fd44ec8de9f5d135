"""The statement that resolves one slice of an import's ``depends_on`` references.

It is ``reference_keys`` and ``resolve`` (in ``dependencies``) written as one set-based
statement, so a slice of assets costs one round trip instead of a load of candidate
targets and a Python loop over every reference:

- each reference is unnested from ``depends_on`` (with its position, so unresolved
  samples keep the order of the list) and normalised as ``reference_keys`` does: outer
  white space stripped (Python's definition of white space, passed in as ``:spaces``),
  an IP address kept as written, anything else folded to lower case without trailing
  dots, giving an FQDN (when it has a dot), a short host name and a name;
- an address is recognised as Python's ``ipaddress.ip_address`` does: a dotted quad
  without leading zeros, or IPv6 (at most one ``::``, hextets of one to four hex digits,
  an optional dotted-quad tail and ``%scope``);
- each key is looked up in the engagement in precedence order (IP, FQDN, host name,
  name); ``COALESCE`` stops at the first that finds an asset, and among several assets
  with the same key the earliest (``created_at``, ``id``) wins, as before (each lookup's
  matches are fetched behind ``OFFSET 0`` and then sorted: with ``ORDER BY … LIMIT 1``
  alone the planner walks the tenant's created_at index until a row matches, minutes
  per slice at 100,000 assets);
- the edges are inserted in the same statement (a repeated run inserts nothing new) and
  the statement returns the slice's counts and its first unresolved references.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from discovery.core.models import SCHEMA
from discovery.core.spaces import python_spaces

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"{_OCTET}(\.{_OCTET}){{3}}"
_H = "[0-9A-Fa-f]{1,4}"
# Eight hextets, or fewer around one "::" (at most seven written), as ipaddress allows.
_IPV6_ADDRESS = "|".join(
    (
        rf"({_H}:){{7}}{_H}",
        rf"({_H}:){{1,7}}:",
        rf"({_H}:){{1,6}}:{_H}",
        rf"({_H}:){{1,5}}(:{_H}){{1,2}}",
        rf"({_H}:){{1,4}}(:{_H}){{1,3}}",
        rf"({_H}:){{1,3}}(:{_H}){{1,4}}",
        rf"({_H}:){{1,2}}(:{_H}){{1,5}}",
        rf"{_H}:(:{_H}){{1,6}}",
        rf":((:{_H}){{1,7}}|:)",
    )
)
# A dotted-quad tail counts as two hextets: it is rewritten to two (``two_hextets``)
# before this test.
IPV6 = rf"({_IPV6_ADDRESS})(%[^%/]+)?"


def pattern_parameters() -> dict[str, Any]:
    """The normalisation's constants, bound as parameters of ``RESOLVE_SLICE``."""
    return {
        "spaces": python_spaces(),
        "ipv4": f"^{IPV4}$",
        "ipv4_tail": f":{IPV4}$",
        "two_hextets": ":0:0",
        "ipv6": f"^{IPV6}$",
    }


# The keys in precedence order, each as (the asset column expression, the key column).
_LOOKUPS = (
    ("t.ip_address", "k.ip_key"),
    ("t.fqdn", "k.fqdn_key"),
    ("t.hostname", "k.hostname_key"),
    ("t.name_key", "k.name_key"),
)
_LOOKUP = f"""
                   (SELECT m.id FROM (SELECT t.id, t.created_at FROM {SCHEMA}.assets AS t
                     WHERE t.client_account_id = :client_account_id
                       AND t.engagement_id = :engagement_id
                       AND {{column}} = {{key}}
                     OFFSET 0) AS m ORDER BY m.created_at, m.id LIMIT 1)"""  # noqa: S608 (the schema constant)

RESOLVE_SLICE = text(
    f"""
    WITH slice AS (
        SELECT ai.asset_id
          FROM {SCHEMA}.asset_imports AS ai
         WHERE ai.data_import_id = :data_import_id AND ai.asset_id > :after
         ORDER BY ai.asset_id
         LIMIT :slice
    ),
    refs AS (
        SELECT a.id AS source, a.name AS source_name, r.reference, r.ord,
               btrim(r.reference, :spaces) AS stripped
          FROM {SCHEMA}.assets AS a
         CROSS JOIN LATERAL unnest(a.depends_on) WITH ORDINALITY AS r(reference, ord)
         -- The slice's assets by primary key: joined to the slice, the planner hashed it
         -- against a scan of the whole asset table, once per slice (251 of 608 ms of a
         -- 20,000-asset slice at 100,000 assets; ten times that at a million).
         WHERE a.id = ANY(ARRAY(SELECT asset_id FROM slice))
           AND a.depends_on <> '{{}}' AND r.reference IS NOT NULL
    ),
    classified AS (
        SELECT refs.*,
               (stripped ~ :ipv4
                OR (strpos(stripped, '/') = 0
                    AND regexp_replace(split_part(stripped, '%', 1), :ipv4_tail, :two_hextets)
                        || substr(stripped, length(split_part(stripped, '%', 1)) + 1)
                        ~ :ipv6)) AS is_ip,
               rtrim(lower(stripped), '.') AS lowered
          FROM refs
    ),
    -- MATERIALIZED: each look-up below then compares a key column with a stored value.
    -- Inlined, it compared with the key's whole expression (regular expressions, lower()),
    -- which is not leakproof: under row-level security that made every look-up a scan of
    -- the engagement's assets (a 10,000-asset import ran for minutes).
    keyed AS MATERIALIZED (
        SELECT source, source_name, reference, ord,
               CASE WHEN is_ip THEN stripped END AS ip_key,
               CASE WHEN NOT is_ip AND strpos(lowered, '.') > 0 THEN lowered END
                   AS fqdn_key,
               CASE WHEN NOT is_ip THEN NULLIF(split_part(lowered, '.', 1), '') END
                   AS hostname_key,
               CASE WHEN NOT is_ip THEN NULLIF(lowered, '') END AS name_key
          FROM classified
    ),
    resolved AS (
        SELECT k.source, k.source_name, k.reference, k.ord,
               COALESCE({{lookups}}
               ) AS target
          FROM keyed AS k
    ),
    inserted AS (
        INSERT INTO {SCHEMA}.asset_dependencies
               (client_account_id, engagement_id, asset_id, depends_on_asset_id,
                dependency_type, source_flow_id)
        SELECT :client_account_id, :engagement_id, source, target, :type, :flow_id
          FROM resolved
         WHERE target IS NOT NULL AND target <> source
            ON CONFLICT (asset_id, depends_on_asset_id, dependency_type) DO NOTHING
    )
    SELECT (SELECT asset_id FROM slice ORDER BY asset_id DESC LIMIT 1) AS last_asset_id,
           (SELECT count(*) FROM slice) AS assets,
           (SELECT count(*) FROM resolved WHERE target IS NOT NULL AND target <> source)
               AS stored,
           (SELECT count(*) FROM resolved WHERE target IS NULL) AS unresolved,
           ARRAY(SELECT coalesce(source_name, 'None') || ': ' || reference
                   FROM resolved WHERE target IS NULL
                  ORDER BY source, ord LIMIT :samples) AS samples
    """.replace(  # noqa: S608 (the schema constant)
        "{lookups}",
        ",".join(_LOOKUP.format(column=column, key=key) for column, key in _LOOKUPS),
    )
)
