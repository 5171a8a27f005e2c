"""Demo data of the reports: last quarter's packs, as the scheduled job would have made them."""

from core.demo_registry import DemoContext, register_seeder
from reports.pdf.services import quarterly_packs_generate


@register_seeder(order=90, name="last quarter's packs")
def seed_reports(ctx: DemoContext) -> None:
    if not ctx.packs:
        ctx.stdout.write("  packs skipped (--no-packs)")
        return
    # Idempotent: a pack already made for a person and quarter is not asked for again. The packs
    # render on the worker, as the quarterly job's do.
    packs = quarterly_packs_generate()
    ctx.stdout.write(f"  {len(packs)} quarterly packs requested")
