# The "words" caption style: choices only, no change to the column.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0011_downloads"),
    ]

    operations = [
        migrations.AlterField(
            model_name="video",
            name="caption_style",
            field=models.CharField(
                choices=[
                    ("classic", "Classic (outlined)"),
                    ("boxed", "Boxed"),
                    ("bold", "Bold yellow"),
                    ("words", "Word by word (highlighted)"),
                ],
                default="classic",
                max_length=10,
            ),
        ),
    ]
