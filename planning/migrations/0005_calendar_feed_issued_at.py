from django.db import migrations, models


class Migration(migrations.Migration):
    """The feed's time stamp is renewed with each new token: it says when the token was issued."""

    dependencies = [("planning", "0004_merge_dates_and_text_limits")]

    operations = [
        migrations.RenameField(model_name="calendarfeed", old_name="created_at", new_name="issued_at"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="issued_at",
            field=models.DateTimeField(auto_now=True, help_text="When the current token was issued"),
        ),
    ]
