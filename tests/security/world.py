"""A small firm with one normal and one confidential client, each with one object of every kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Assignment, Client, Role, ServiceLine, User
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory, UserFactory

CONFIDENTIAL_NAME = "Nightjar Secret Holdings"


@dataclass
class World:
    users: dict[str, User]
    clients: dict[bool, Client]
    service_line: ServiceLine
    objects: dict[tuple[str, bool], object] = field(default_factory=dict)

    def client(self, confidential: bool) -> Client:
        return self.clients[confidential]

    def obj(self, kind: str, confidential: bool):
        return self.objects[(kind, confidential)]

    def secrets(self) -> list[str]:
        return [CONFIDENTIAL_NAME]


def build_world() -> World:
    users = {
        "alice": UserFactory(email="alice@firm.example", full_name="Alice Partner", role=Role.PARTNER),
        "bob": UserFactory(email="bob@firm.example", full_name="Bob Outsider", role=Role.PARTNER),
        "carol": UserFactory(email="carol@firm.example", full_name="Carol Bd", role=Role.BD),
        "mike": UserFactory(email="mike@firm.example", full_name="Mike Managing", role=Role.MANAGING_PARTNER),
        "ada": UserFactory(email="ada@firm.example", full_name="Ada Admin", role=Role.ADMIN),
    }
    normal = ClientFactory(name="Harbour Energy plc", crp=users["alice"])
    confidential = ClientFactory(name=CONFIDENTIAL_NAME, confidential=True, crp=users["alice"])
    line = ServiceLineFactory(name="Litigation")
    world = World(users=users, clients={False: normal, True: confidential}, service_line=line)
    for flag, client in world.clients.items():
        world.objects[("assignment", flag)] = Assignment.objects.create(
            client=client, user=UserFactory(), role="team")
        world.objects[("fee", flag)] = FeeRecordFactory(client=client, service_line=line)
    return world
