"""What each feed kind reads: its columns (with the header names common practice-management exports
use, so the mapping step can suggest them) and how a cell is parsed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from feeds import parsing
from feeds.models import FeedKind, MatterStatus, reporting_currency


@dataclass(frozen=True)
class Column:
    name: str  # the Keyline field, and the staging table's column
    label: str
    sql_type: str
    parse: Callable[[str], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


def _status(value: str) -> str:
    key = value.strip().lower()
    synonyms = {"o": "open", "active": "open", "c": "closed", "closed": "closed", "p": "pending", "inactive": "closed"}
    key = synonyms.get(key, key)
    if key not in MatterStatus.values:
        raise parsing.CellError(f"“{value}” is not one of: {', '.join(MatterStatus.values)}.")
    return key


def _key(value: str) -> str:
    return parsing.text(value, 100)


_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")


def _domains(value: str) -> str:
    """Mail domains, separated by semicolons, commas or spaces: kestrel.com; kestrel-pharma.de."""
    found = []
    for part in re.split(r"[;,\s]+", value.strip().lower()):
        domain = part.removeprefix("@")
        if not domain:
            continue
        if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
            raise parsing.CellError(f"“{part}” is not a mail domain such as kestrel.com.")
        if domain not in found:
            found.append(domain)
    return ";".join(found)


def _email(value: str) -> str:
    if "@" not in value:
        raise parsing.CellError(f"“{value}” is not an email address.")
    return parsing.text(value.lower(), 254)


COLUMNS: dict[str, list[Column]] = {
    FeedKind.CLIENTS: [
        Column(
            "external_id",
            "Client key",
            "text",
            _key,
            True,
            ("clientnumber", "clientid", "clientcode", "clientno", "key", "id", "customerid"),
        ),
        Column(
            "name",
            "Client name",
            "text",
            lambda v: parsing.text(v, 200),
            True,
            ("name", "clientname", "customer", "customername", "displayname"),
        ),
        Column(
            "parent",
            "Parent (key or name)",
            "text",
            lambda v: parsing.text(v, 200),
            False,
            ("parent", "parentclient", "parentnumber", "parentclientnumber", "ultimateparent", "group"),
        ),
        Column("tier", "Tier", "text", lambda v: parsing.text(v, 50), False, ("tier", "programmetier", "segment")),
        Column("sector", "Sector", "text", lambda v: parsing.text(v, 100), False, ("sector", "industry")),
        Column("country", "Country", "text", lambda v: parsing.text(v, 100), False, ("country", "jurisdiction")),
        Column(
            "domains",
            "Email domains",
            "text",
            _domains,
            False,
            ("domains", "emaildomains", "domain", "emaildomain", "maildomains", "webdomains"),
            "Separated by semicolons: added to the client's mail domains (none is ever removed by a feed).",
        ),
        Column(
            "crp",
            "CRP (email, for a new client)",
            "text",
            _email,
            False,
            ("crp", "crpemail", "relationshippartner", "relationshippartneremail", "originatingpartner"),
        ),
    ],
    FeedKind.FEES: [
        Column(
            "external_id",
            "External id",
            "text",
            _key,
            True,
            ("id", "key", "feeid", "billid", "billlineid", "transactionid", "invoicelineid", "lineid", "uniqueid"),
            "The source system's key for this line: a re-sent line updates it.",
        ),
        Column(
            "client",
            "Client (key or name)",
            "text",
            lambda v: parsing.text(v, 200),
            True,
            ("client", "clientnumber", "clientid", "clientcode", "clientname", "clientno", "customer"),
        ),
        Column(
            "service_line",
            "Service line",
            "text",
            lambda v: parsing.text(v, 100),
            True,
            ("serviceline", "practice", "practicearea", "practicegroup", "department", "workgroup", "section"),
        ),
        Column(
            "period",
            "Period (date or month)",
            "date",
            parsing.date,
            True,
            ("period", "date", "billdate", "invoicedate", "periodend", "month", "postdate", "glperiod"),
        ),
        Column(
            "billed",
            "Fees billed",
            "numeric",
            parsing.amount,
            True,
            ("billed", "fees", "feesbilled", "billedfees", "amount", "billedamount", "netfees", "feeamount"),
        ),
        Column(
            "collected",
            "Fees collected",
            "numeric",
            parsing.amount,
            False,
            ("collected", "receipts", "cashreceived", "collections", "paid", "feescollected"),
        ),
        Column("wip", "Work in progress", "numeric", parsing.amount, False, ("wip", "unbilled", "workinprogress")),
        Column(
            "currency",
            "Currency",
            "text",
            lambda v: parsing.currency(v, reporting_currency()),
            False,
            ("currency", "ccy", "currencycode", "billingcurrency"),
        ),
        Column(
            "matter",
            "Matter number",
            "text",
            lambda v: parsing.text(v, 50),
            False,
            ("matter", "matternumber", "matterno", "matterid", "mattercode", "engagement"),
        ),
    ],
    FeedKind.MATTERS: [
        Column(
            "external_id",
            "Matter number",
            "text",
            lambda v: parsing.text(v, 50),
            True,
            ("matter", "matternumber", "matterno", "matterid", "mattercode", "number", "engagement"),
        ),
        Column(
            "client",
            "Client (key or name)",
            "text",
            lambda v: parsing.text(v, 200),
            True,
            ("client", "clientnumber", "clientid", "clientcode", "clientname", "customer"),
        ),
        Column(
            "name",
            "Matter name",
            "text",
            lambda v: parsing.text(v, 200),
            True,
            ("name", "mattername", "description", "matterdescription", "title"),
        ),
        Column(
            "service_line",
            "Service line",
            "text",
            lambda v: parsing.text(v, 100),
            False,
            ("serviceline", "practice", "practicearea", "department", "workgroup"),
        ),
        Column(
            "partner",
            "Responsible partner (email)",
            "text",
            _email,
            False,
            ("partner", "responsiblepartner", "billingpartner", "partneremail", "responsibleemail"),
        ),
        Column(
            "opened_on",
            "Opened",
            "date",
            lambda v: parsing.date(v, month_end=False),
            False,
            ("opened", "opendate", "openedon", "dateopened"),
        ),
        Column(
            "closed_on",
            "Closed",
            "date",
            lambda v: parsing.date(v, month_end=False),
            False,
            ("closed", "closedate", "closedon", "dateclosed"),
        ),
        Column("status", "Status", "text", _status, False, ("status", "matterstatus", "state")),
    ],
    FeedKind.HOURS: [
        Column(
            "external_id",
            "External id",
            "text",
            _key,
            True,
            ("id", "key", "timeid", "entryid", "timecardid", "uniqueid"),
        ),
        Column(
            "matter",
            "Matter number",
            "text",
            lambda v: parsing.text(v, 50),
            True,
            ("matter", "matternumber", "matterno", "matterid", "mattercode"),
        ),
        Column(
            "timekeeper",
            "Timekeeper (email)",
            "text",
            _email,
            True,
            ("timekeeper", "timekeeperemail", "email", "fee earner", "feeearner", "tkemail"),
        ),
        Column(
            "worked_on",
            "Date worked",
            "date",
            lambda v: parsing.date(v, month_end=False),
            True,
            ("date", "workdate", "workedon", "dateworked", "transactiondate"),
        ),
        Column("hours", "Hours", "numeric", parsing.hours, True, ("hours", "workedhours", "billablehours", "hrs")),
    ],
    FeedKind.RATES: [
        Column(
            "currency",
            "Currency",
            "text",
            lambda v: parsing.currency(v, ""),
            True,
            ("currency", "ccy", "from", "fromcurrency", "code"),
        ),
        Column(
            "valid_from",
            "Valid from",
            "date",
            lambda v: parsing.date(v, month_end=False),
            True,
            ("validfrom", "date", "from date", "fromdate", "effective", "effectivedate", "period"),
        ),
        Column(
            "rate",
            "Rate (reporting-currency units per unit)",
            "numeric",
            parsing.rate,
            True,
            ("rate", "exchangerate", "fx", "fxrate", "value"),
        ),
    ],
}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def suggest_mapping(kind: str, headers: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """{field: header}: the source's saved mapping where its headers are still there, else by name."""
    saved = saved or {}
    present = set(headers)
    mapping: dict[str, str] = {}
    by_norm = {normalise(h): h for h in headers if h}
    for column in COLUMNS[kind]:
        if saved.get(column.name) in present:
            mapping[column.name] = saved[column.name]
            continue
        for candidate in (column.name, *column.aliases):
            header = by_norm.get(normalise(candidate))
            if header and header not in mapping.values():
                mapping[column.name] = header
                break
    return mapping


def mapping_errors(kind: str, mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Field errors of a mapping: a required field unmapped, a header that is not in the file, one used twice."""
    errors: dict[str, str] = {}
    used: dict[str, str] = {}
    for column in COLUMNS[kind]:
        header = mapping.get(column.name, "")
        if not header:
            if column.required:
                errors[column.name] = f"Choose the column that holds “{column.label}”: it is required."
            continue
        if header not in headers:
            errors[column.name] = f"The file has no column “{header}”."
        elif header in used:
            errors[column.name] = f"“{header}” is already mapped to {used[header]}."
        used[header] = column.label
    return errors
