# The kinds of job are registered by the apps that own them (jobs.registry), not listed
# by jobs: the column keeps its values, without choices.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0005_lease_and_staged_files"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(max_length=12),
        ),
    ]
