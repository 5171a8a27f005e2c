import datetime
import random
import time
from typing import Any

import pgtrigger
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core.demo_registry import SEEDERS, STORY_DAYS, DemoContext
from core.history import history_backfill
from core.statistics import tables_analyze

DEMO_APPS = ("accounts", "stakeholders", "planning", "health", "reports")


def tracked_models() -> list[type[Model]]:
    """Models whose changes pghistory records through triggers."""
    return [
        model
        for model in apps.get_models()
        if any(trigger.name == "insert_insert" for trigger in getattr(model._meta, "triggers", []))
    ]


def history_triggers() -> list[str]:
    """URIs of pghistory's triggers on every tracked model."""
    return [
        f"{model._meta.label}:{trigger.name}"
        for model in tracked_models()
        for trigger in model._meta.triggers  # type: ignore[attr-defined]
        if trigger.name in {"insert_insert", "update_update", "delete_delete"}
    ]


class Command(BaseCommand):
    help = "Build a believable demo firm (idempotent). --clients N scales it for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=150, help="number of key clients (default 150)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same firm)")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo logins")
        parser.add_argument(
            "--no-packs",
            action="store_false",
            dest="packs",
            help="skip rendering last quarter's PDF packs (most of the time of a big firm)",
        )

    def handle(self, *args: Any, clients: int, seed: int, quiet: bool, packs: bool = True, **options: Any) -> None:
        if clients < 1 or clients > 100_000:
            raise CommandError("--clients must be between 1 and 100000.")
        autodiscover_modules("demo")
        ctx = DemoContext(rng=random.Random(seed), client_count=clients, stdout=self.stdout, packs=packs)
        for _, name, seeder in SEEDERS:
            started = time.perf_counter()
            # Demo rows are not anybody's edits: skip the per-row audit triggers (6x faster), also for
            # the seeders' own back-dating updates...
            with transaction.atomic(), pgtrigger.ignore(*history_triggers()):
                seeder(ctx)
                # ...but past quarters are read from the history: each row gets one insert event, dated
                # when the demo's story says it was created, before the next seeder reads the past.
                story_start = timezone.now() - datetime.timedelta(days=STORY_DAYS)
                for model in tracked_models():
                    history_backfill(model, undated=story_start)
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
