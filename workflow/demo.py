"""Demo playbooks: the defaults, in place before the health history raises its alerts."""

from core.demo_registry import DemoContext, register_seeder
from workflow.defaults import playbooks_install_defaults


@register_seeder(order=45, name="default playbooks")
def seed(ctx: DemoContext) -> None:
    playbooks_install_defaults()
