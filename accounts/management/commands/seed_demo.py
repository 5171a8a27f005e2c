import random
import time

import pgtrigger
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from accounts.demo_registry import SEEDERS, DemoContext
from accounts.statistics import tables_analyze

DEMO_APPS = ("accounts", "stakeholders", "planning", "health", "reports")


def history_triggers() -> list[str]:
    """URIs of pghistory's insert triggers on every tracked model."""
    uris = []
    for model in apps.get_models():
        for trigger in getattr(model._meta, "triggers", []):
            if trigger.name == "insert_insert":
                uris.append(f"{model._meta.label}:{trigger.name}")
    return uris


class Command(BaseCommand):
    help = "Build a believable demo firm (idempotent). --clients N scales it for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=150, help="number of key clients (default 150)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same firm)")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo logins")

    def handle(self, *args, clients: int, seed: int, quiet: bool, **options):
        if clients < 1 or clients > 100_000:
            raise CommandError("--clients must be between 1 and 100000.")
        autodiscover_modules("demo")
        ctx = DemoContext(rng=random.Random(seed), client_count=clients, stdout=self.stdout)
        for _, name, seeder in SEEDERS:
            started = time.perf_counter()
            # Demo rows are not anybody's edits: skip the per-row audit triggers (6x faster).
            with transaction.atomic(), pgtrigger.ignore(*history_triggers()):
                seeder(ctx)
            # Later seeders read what earlier ones wrote: plan those reads from fresh statistics.
            tables_analyze(*DEMO_APPS)
            self.stdout.write(f"  {name}: {time.perf_counter() - started:.1f}s")
        if not quiet:
            self.print_logins(ctx)

    def print_logins(self, ctx: DemoContext) -> None:
        self.stdout.write(self.style.SUCCESS("\nDemo logins (password for all: {})".format(ctx.data["password"])))
        for role, email in ctx.data["logins"]:
            self.stdout.write(f"  {role:<18} {email}")
        self.stdout.write("")
