"""Turn PostgreSQL's JIT compiler off for Keyline's database.

Keyline's statements are short; on the larger ones (the audit log's union of history tables, the
stewardship figures) the planner's cost estimate crosses jit_above_cost and compiling took longer
than running: 4.5 s of a 5 s audit-log page at 5,000 clients. A database setting (rather than a
connection option) holds through a transaction-mode connection pooler too.
"""

from django.db import migrations

SET = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$;"
RESET = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); END $$;"


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_history_time_index")]

    operations = [migrations.RunSQL(SET, RESET)]
