"""Who the addresses in a message are: firm people, known stakeholders, clients by their mail domains.
One query per kind for the whole message, whatever its number of addresses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models.functions import Lower

from accounts.models import Client, User
from capture.models import CaptureExclusion, ClientEmailDomain, Suppression, address_hash
from capture.pipeline.message import Address
from stakeholders.models import Stakeholder


@dataclass
class Resolved:
    firm: dict[str, User] = field(default_factory=dict)  # address -> active firm person
    stakeholders: dict[str, list[Stakeholder]] = field(default_factory=dict)  # address -> people, any client
    unmatched: list[Address] = field(default_factory=list)  # client-side addresses nobody has on file
    domain_clients: dict[str, set[int]] = field(default_factory=dict)  # domain -> client ids
    excluded: set[int] = field(default_factory=set)  # clients whose capture is off
    suppressed: set[str] = field(default_factory=set)

    def client_ids(self) -> set[int]:
        ids = {s.client_id for people in self.stakeholders.values() for s in people}
        for _name, address in self.unmatched:
            ids |= self.domain_clients.get(domain_of(address), set())
        return ids - self.excluded


@dataclass
class Directory:
    """The firm's people, the clients' mail domains and the clients left out, read once for a whole
    batch of messages (tens to hundreds of people, a few thousand domains) instead of per message."""

    users: dict[str, User]
    domains: dict[str, set[int]]
    excluded: set[int]


_batch: ContextVar[Directory | None] = ContextVar("capture_directory", default=None)


@contextmanager
def batch_directory() -> Iterator[Directory]:
    """Within the block, lookups read the directory loaded once at its start."""
    users = {u.lower_email: u for u in User.objects.annotate(lower_email=Lower("email")).filter(is_active=True)}
    domains: dict[str, set[int]] = defaultdict(set)
    for domain, client_id in ClientEmailDomain.objects.values_list("domain", "client_id"):
        domains[domain].add(client_id)
    excluded = set(CaptureExclusion.objects.values_list("client_id", flat=True))
    token = _batch.set(Directory(users, dict(domains), excluded))
    try:
        yield _batch.get()  # type: ignore[misc]
    finally:
        _batch.reset(token)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def firm_users_by_address(emails: list[str]) -> dict[str, User]:
    directory = _batch.get()
    if directory is not None:
        return {e: directory.users[e] for e in emails if e in directory.users}
    users = User.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=emails, is_active=True)
    return {user.lower_email: user for user in users}


def resolve(people: list[Address], *, ignore: set[str]) -> Resolved:
    """Sort the message's participants into firm people, stakeholders and unknown client-side people."""
    result = Resolved()
    named = {address: name for name, address in people if address not in ignore}
    if not named:
        return result
    hashes = {address_hash(a): a for a in named}
    result.suppressed = {
        hashes[h]
        for h in Suppression.objects.filter(address_hash__in=list(hashes)).values_list("address_hash", flat=True)
    }
    emails = [a for a in named if a not in result.suppressed]
    result.firm = firm_users_by_address(emails)
    outside = [a for a in emails if a not in result.firm]
    if not outside:
        return result
    by_address: dict[str, list[Stakeholder]] = defaultdict(list)
    for person in Stakeholder.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=outside):
        by_address[person.lower_email].append(person)
    result.stakeholders = dict(by_address)
    result.unmatched = [(named[a], a) for a in outside if a not in by_address]
    domains = {domain_of(a) for a in outside}
    directory = _batch.get()
    if directory is not None:
        result.domain_clients = {d: set(directory.domains[d]) for d in domains if d in directory.domains}
    else:
        found = ClientEmailDomain.objects.filter(domain__in=domains).values_list("domain", "client_id")
        for domain, client_id in found:
            result.domain_clients.setdefault(domain, set()).add(client_id)
    mentioned = {s.client_id for people in by_address.values() for s in people} | {
        c for ids in result.domain_clients.values() for c in ids
    }
    if directory is not None:
        result.excluded = mentioned & directory.excluded
    else:
        off = CaptureExclusion.objects.filter(client_id__in=mentioned).values_list("client_id", flat=True)
        result.excluded = set(off)
    return result


def clients_by_id(ids: set[int]) -> dict[int, Client]:
    return Client.objects.in_bulk(list(ids))
