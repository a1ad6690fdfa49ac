# Downloads of masters and exports, shown to the creator (issue 25).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0010_scene_artwork"),
    ]

    operations = [
        migrations.AddField(
            model_name="export",
            name="downloads",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="video",
            name="downloads",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
